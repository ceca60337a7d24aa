"""Where the local driver serves shares from: one address with its NFS and SMB servers.

Without share servers (DHSS=False) there is one frontend on the host's
``local_export_address``. With share servers (DHSS=True) each server has its own: a
Ganesha, its bus and an smbd started inside the server's network namespace (entered with
``nsenter --net``, so they share the host's mounts, where the shares and their bind
mounts are) and bound to the server's address, with their own work directory and
export ids. A share is exported only by its server's frontend.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from abaca.share.driver_api import DriverError, ExportLocationInfo, ShareResult
from abaca.share.drivers.local.registry import ExportIds
from abaca.share.protocols.ganesha import GaneshaServer
from abaca.share.protocols.samba import SambaServer

LOG = logging.getLogger(__name__)

_NAMESPACE = re.compile(r"abaca-[0-9a-f-]{36}")
_SERVER_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Frontend:
    def __init__(self, workdir: Path, address: str, protocols: set[str], nfs_port: int,
                 smb_port: int, namespace: str | None = None) -> None:
        prefix: list[str] = []
        if namespace is not None:
            if not _NAMESPACE.fullmatch(namespace):
                raise DriverError(f"Network namespace {namespace!r} is not one of Abaca's.")
            prefix = ["nsenter", f"--net=/run/netns/{namespace}", "--"]
        self.workdir = workdir
        self.address = address
        self.namespace = namespace
        self.nfs = (GaneshaServer(workdir / "ganesha", address, nfs_port, prefix)
                    if "NFS" in protocols else None)
        self.smb = (SambaServer(workdir / "samba", address, smb_port, prefix)
                    if "CIFS" in protocols else None)
        self.export_ids = ExportIds(workdir / "nfs-export-ids.json")
        # start() and the supervisor's restarts must not both start a daemon
        self.lock = threading.RLock()
        self.removed = False

    @property
    def servers(self) -> list[GaneshaServer | SambaServer]:
        return [s for s in (self.nfs, self.smb) if s is not None]

    def start(self) -> None:
        with self.lock:
            self.workdir.mkdir(parents=True, exist_ok=True)
            os.chmod(self.workdir, 0o700)
            # Both at once: a new share server waits for the slower one, not for the sum.
            with ThreadPoolExecutor(max_workers=2) as pool:
                started = [pool.submit(server.start) for server in self.servers]
            for future in started:
                future.result()

    def restart_dead(self) -> list[str]:
        """Start again whatever died; the names of the servers it restarted."""
        with self.lock:
            if self.removed:  # torn down while the supervisor looked the other way
                return []
            return [type(s).__name__ for s in self.servers if s.ensure_running()]

    def stop(self) -> None:
        with self.lock:
            for server in self.servers:
                server.stop()

    def remove(self) -> None:
        """Stop the servers and forget everything this frontend kept on disk."""
        with self.lock:
            self.removed = True
            self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def locations(self, share_proto: str, name: str) -> ShareResult:
        if share_proto == "NFS":
            host = f"[{self.address}]" if ":" in self.address else self.address
            path = f"{host}:/{name}"
        else:
            path = f"\\\\{self.address}\\{name}"
        return ShareResult(export_locations=(ExportLocationInfo(path=path, preferred=True),))


def server_workdir(root: Path, server_id: str) -> Path:
    """A short directory per server: Ganesha's bus socket path must stay under 108
    bytes."""
    if not _SERVER_ID.fullmatch(server_id):
        raise DriverError(f"Share server id {server_id!r} is not a UUID.")
    return root / "srv" / server_id.replace("-", "")[:12]
