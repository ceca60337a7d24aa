"""A DHSS=True local backend (netns + standalone) under all-in-one, and a client network
namespace on its bridge: for the share-server e2e tests and bench/share_servers.py.

Addresses come from 198.18.<n>.0/24 (n chosen at random from 128-247): the share
service's bridge holds the gateway .1, share servers get .10 and up, the client is .50.
The client runs a small prober inside its namespace (one long-lived Python process
driving the pure-Python NFSv4 client), so a probe costs a round trip, not a start-up.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any

from tests.e2e import local_backend as lb
from tests.e2e.samba.conftest import SmbClient
from tests.fixtures import servers

REPO = Path(__file__).resolve().parents[2]
USERS = {"alice": "Alice-pw-1"}
PROBER = """
import json, sys
from tests.fixtures.nfs4client import NFS4Client, NFS4Error
for line in sys.stdin:
    host, path, data = json.loads(line)
    try:
        with NFS4Client(host, 2049, timeout=10) as client:
            client.write_file(path, data.encode())
            ok = client.read_file(path) == data.encode()
        print("written" if ok else "mismatch", flush=True)
    except (NFS4Error, OSError) as exc:
        print(f"refused: {exc}", flush=True)
"""


def ip(*argv: str, check: bool = True) -> str:
    return subprocess.run(["ip", *argv], capture_output=True, text=True, timeout=30,
                          check=check).stdout


SERVER_NS = re.compile(r"abaca-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def server_namespaces() -> set[str]:
    return {line.split()[0] for line in ip("netns", "list").splitlines()
            if line.strip() and SERVER_NS.fullmatch(line.split()[0])}




PREEXISTING: set[str] = set()


def our_namespaces() -> set[str]:
    """The share servers' namespaces made since the Env was made."""
    return server_namespaces() - PREEXISTING


class Env:
    def __init__(self, tmp: Path, first: int = 10, last: int = 11,
                 groups: dict[str, dict[str, Any]] | None = None, **backend_options: Any,
                 ) -> None:
        PREEXISTING.clear()
        PREEXISTING.update(server_namespaces())
        self.tmp = tmp
        self.tag = secrets.token_hex(3)
        self.octet = 128 + secrets.randbelow(120)
        self.net = f"198.18.{self.octet}"
        self.bridge = f"abr{self.tag}"
        self.client_ns = f"abaca-cli-{self.tag}"
        self.client_ip = f"{self.net}.50"
        self.port = servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        users = tmp / "cifs-users"
        users.write_text("".join(f"{n}:{p}\n" for n, p in USERS.items()))
        backend = {
            "share_driver": "local", "driver_handles_share_servers": True,
            "compute_helper": "netns", "network_helper": "standalone",
            "netns_bridge": self.bridge, "local_loop_size_gb": 8,
            "local_nfs_port": 2049, "local_smb_port": 445, "local_protocols": "NFS,CIFS",
            "local_supervise_interval": 1, "local_cifs_users_file": str(users),
            "standalone_network_plugin_gateway": f"{self.net}.1",
            "standalone_network_plugin_mask": "24",
            "standalone_network_plugin_allowed_ip_ranges":
                f"{self.net}.{first}-{self.net}.{last}",
            "unused_share_server_cleanup_interval": 0, **backend_options,
        }
        self.state = tmp / "state"
        self.config = servers.write_config(
            tmp / "abaca.conf", servers.base_config(self.state, self.port, {"ss": backend},
                                                groups))
        self.proc: servers.Proc | None = None
        self._prober: subprocess.Popen[str] | None = None
        scratch = tmp / "client"
        scratch.mkdir()
        self.scratch = scratch

    def start(self, log: str) -> None:
        proc = servers.command("abaca", self.config, self.tmp / log)
        proc.args.insert(1, "all-in-one")
        proc.start()
        self.proc = proc
        servers.wait_for_api(self.url, proc)
        servers.wait_for_pools(self.url, 1, timeout=90)

    def mc(self, project: str) -> Any:
        return servers.manila(self.url, "2.51", token=f"admin:{project}")

    # the client namespace, on the service's bridge ---------------------------------

    def attach_client(self) -> None:
        if self.client_ns in ip("netns", "list"):
            return
        ip("netns", "add", self.client_ns)
        ip("link", "add", f"acl{self.tag}", "type", "veth", "peer", "name", "eth0",
           "netns", self.client_ns)
        ip("link", "set", f"acl{self.tag}", "master", self.bridge, "up")
        ip("-n", self.client_ns, "addr", "add", f"{self.client_ip}/24", "dev", "eth0")
        ip("-n", self.client_ns, "link", "set", "eth0", "up")
        ip("-n", self.client_ns, "link", "set", "lo", "up")

    def in_client(self) -> list[str]:
        return ["nsenter", f"--net=/run/netns/{self.client_ns}"]

    def nfs_write(self, export: str, name: str, data: str) -> bool:
        """Write (and read back) a file over NFS from the client's namespace."""
        if self._prober is None or self._prober.poll() is not None:
            self._prober = subprocess.Popen(
                [*self.in_client(), sys.executable, "-c", PROBER], cwd=REPO, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        host, _, path = export.partition(":")
        assert self._prober.stdin is not None and self._prober.stdout is not None
        self._prober.stdin.write(json.dumps([host, f"{path}/{name}", data]) + "\n")
        self._prober.stdin.flush()
        answer = self._prober.stdout.readline().strip()
        # a dead prober must not look like a refused write
        assert answer == "written" or answer.startswith(("refused:", "mismatch")), answer
        if answer != "written":
            print(export, name, answer)
        return answer == "written"

    def smb(self, export: str) -> tuple[SmbClient, str]:
        host, share = export.lstrip("\\").split("\\", 1)
        return SmbClient(host, 445, self.scratch, self.in_client()), share

    def bridge_namespaces(self) -> set[str]:
        """Server namespaces on this Env's bridge (never another run's)."""
        out = ip("-o", "link", "show", "master", self.bridge, check=False)
        found = set(re.findall(r"link-netns (abaca-[0-9a-f-]{36})", out))
        database = self.state / "abaca.sqlite"
        if database.exists():  # also a server whose veth was never made
            with suppress(sqlite3.Error), sqlite3.connect(database) as db:
                found.update(f"abaca-{row[0]}" for row in
                             db.execute("SELECT id FROM share_servers"))
        return found & our_namespaces()

    def cleanup(self) -> None:
        if self._prober is not None:
            self._prober.kill()
            self._prober.wait()
        if self.proc is not None:
            with suppress(Exception):
                self.proc.stop()
        ip("netns", "del", self.client_ns, check=False)
        ip("link", "del", f"acl{self.tag}", check=False)
        lb.cleanup_state(self.state)
        for ns in self.bridge_namespaces():  # only when a test failed half-way
            pids = ip("netns", "pids", ns, check=False).split()
            for pid in pids:
                with suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), 9)
            ip("netns", "del", ns, check=False)
        ip("link", "del", self.bridge, check=False)
