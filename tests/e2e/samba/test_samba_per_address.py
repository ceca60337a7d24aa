"""Per-address read-only and read-write on one share, seen from three client addresses.

smbd runs in its own network namespace (through SambaServer's command prefix) on
198.18.0.1, a bridge; three client namespaces sit on it as 198.18.0.2, .3 and .4.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from abaca.common.errors import Invalid
from abaca.share.protocols.rules import IpRule, UserRule

from .conftest import Samba, SmbClient, require_samba, start_samba

pytestmark = pytest.mark.e2e

SERVER = "198.18.0.1"
CLIENTS = {"a": "198.18.0.2", "b": "198.18.0.3", "c": "198.18.0.4"}


def _ip(*argv: str) -> None:
    subprocess.run(["ip", *argv], check=True, capture_output=True, timeout=30)


@pytest.fixture
def namespaces() -> Iterator[dict[str, str]]:
    if shutil.which("ip") is None:
        pytest.skip("iproute2 is not installed")
    tag = f"abaca-smb-{os.getpid()}"
    names = {role: f"{tag}-{role}" for role in ("srv", *CLIENTS)}
    created: list[str] = []
    try:
        for name in names.values():
            _ip("netns", "add", name)
            created.append(name)
            _ip("-n", name, "link", "set", "lo", "up")
        srv = names["srv"]
        _ip("-n", srv, "link", "add", "br0", "type", "bridge")
        _ip("-n", srv, "addr", "add", f"{SERVER}/24", "dev", "br0")
        _ip("-n", srv, "link", "set", "br0", "up")
        for role, address in CLIENTS.items():
            # Both ends are made inside the namespaces: the host's links are not touched.
            _ip("-n", srv, "link", "add", f"to-{role}", "type", "veth", "peer", "name", "eth0",
                "netns", names[role])
            _ip("-n", srv, "link", "set", f"to-{role}", "master", "br0", "up")
            _ip("-n", names[role], "addr", "add", f"{address}/24", "dev", "eth0")
            _ip("-n", names[role], "link", "set", "eth0", "up")
        yield names
    finally:
        for name in created:
            subprocess.run(["ip", "netns", "del", name], check=False, timeout=30)


@pytest.fixture
def samba_ns(tmp_path: Path, namespaces: dict[str, str]) -> Iterator[Samba]:
    require_samba()
    yield from start_samba(tmp_path, SERVER, 445, ["ip", "netns", "exec", namespaces["srv"]])


def _client(samba: Samba, namespaces: dict[str, str], role: str) -> SmbClient:
    return SmbClient(SERVER, 445, samba.client.scratch,
                     ["ip", "netns", "exec", namespaces[role]])


def test_rw_and_ro_addresses_on_one_share(samba_ns: Samba,
                                          namespaces: dict[str, str]) -> None:
    server = samba_ns.server
    alice = samba_ns.user("alice")
    data = samba_ns.share_dir("mixed")
    (data / "seed.txt").write_text("seed\n")
    a, b, c = (_client(samba_ns, namespaces, role) for role in CLIENTS)

    # rw single address, ro network: default read-only, one override file for .2
    server.share("mixed", str(data), [IpRule("198.18.0.2", "rw"),
                                      IpRule("198.18.0.0/24", "ro")], [])
    a.assert_writes("mixed", alice, "from-a.txt", "a\n")
    b.assert_reads_only("mixed", alice, "seed.txt", "seed\n")
    c.assert_reads_only("mixed", alice, "from-a.txt", "a\n")

    # rw network, ro single address: default read-write, one override file for .3
    server.share("mixed", str(data), [IpRule("198.18.0.0/24", "rw"),
                                      IpRule("198.18.0.3", "ro")], [])
    a.assert_writes("mixed", alice, "from-a2.txt", "a2\n")
    b.assert_reads_only("mixed", alice, "seed.txt", "seed\n")
    c.assert_writes("mixed", alice, "from-c.txt", "c\n")

    # Only two addresses have a rule: the third is refused.
    server.share("mixed", str(data), [IpRule("198.18.0.2", "ro"), IpRule("198.18.0.3", "rw")],
                 [])
    a.assert_reads_only("mixed", alice, "seed.txt", "seed\n")
    b.assert_writes("mixed", alice, "from-b.txt", "b\n")
    c.assert_refused("mixed", alice)

    # An address with both levels is ro, whatever its network has.
    server.share("mixed", str(data), [IpRule("198.18.0.4", "rw"), IpRule("198.18.0.4", "ro"),
                                      IpRule("198.18.0.0/25", "rw")], [])
    c.assert_reads_only("mixed", alice, "from-c.txt", "c\n")
    b.assert_writes("mixed", alice, "from-b2.txt", "b2\n")

    # rw and ro networks together (nested or not) cannot be expressed per address: refused,
    # and the share keeps its rules.
    before = (server.workdir / "shares" / "mixed.conf").read_text()
    for rules in ([IpRule("198.18.0.0/30", "rw"), IpRule("198.18.0.4/30", "ro")],
                  [IpRule("198.18.0.0/24", "rw"), IpRule("198.18.0.0/30", "ro")]):
        with pytest.raises(Invalid):
            server.share("mixed", str(data), rules, [])
    assert (server.workdir / "shares" / "mixed.conf").read_text() == before
    c.assert_reads_only("mixed", alice, "from-c.txt", "c\n")

    # Users and addresses together: an ro user stays ro at an rw address.
    bob = samba_ns.user("bob")
    server.share("mixed", str(data), [IpRule("198.18.0.2", "rw"), IpRule("198.18.0.3", "ro")],
                 [UserRule("alice", "rw"), UserRule("bob", "ro")])
    a.assert_writes("mixed", alice, "from-a3.txt", "a3\n")
    a.assert_reads_only("mixed", bob, "seed.txt", "seed\n")
    b.assert_reads_only("mixed", alice, "seed.txt", "seed\n")
    c.assert_refused("mixed", alice)

    server.share("mixed", str(data), [], [])
    for client in (a, b, c):
        client.assert_refused("mixed", alice)
    assert not (server.workdir / "access" / "mixed").exists()


def test_a_downgraded_address_loses_its_open_session(samba_ns: Samba,
                                                    namespaces: dict[str, str]) -> None:
    server = samba_ns.server
    alice = samba_ns.user("alice")
    data = samba_ns.share_dir("s")
    a = _client(samba_ns, namespaces, "a")
    b = _client(samba_ns, namespaces, "b")
    server.share("s", str(data), [IpRule("198.18.0.2", "rw"), IpRule("198.18.0.3", "rw")], [])
    (samba_ns.client.scratch / "late.txt").write_text("late\n")

    session = a.session("s", alice)
    try:
        session.send("ls")
        session.wait_for("blocks available")
        server.share("s", str(data), [IpRule("198.18.0.2", "ro"), IpRule("198.18.0.3", "rw")],
                     [])
        session.send("put late.txt")
        out = session.finish()
    finally:
        session.close()
    assert "NT_STATUS_NETWORK_NAME_DELETED" in out, out
    assert not (data / "late.txt").exists(), out
    b.assert_writes("s", alice, "b.txt", "b\n")


def test_restart_in_a_namespace_and_timing(samba_ns: Samba, namespaces: dict[str, str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    server = samba_ns.server
    alice = samba_ns.user("alice")
    data = str(samba_ns.share_dir("r"))
    a = _client(samba_ns, namespaces, "a")
    b = _client(samba_ns, namespaces, "b")
    samples = []
    for _ in range(11):
        started = time.perf_counter()
        server.share("r", data, [IpRule("198.18.0.2", "rw"), IpRule("198.18.0.3", "ro")], [])
        samples.append(time.perf_counter() - started)
    with capsys.disabled():
        print(f"\nSambaServer.share() through 'ip netns exec': median "
              f"{statistics.median(samples) * 1000:.1f} ms over {len(samples)} calls")

    server.stop()
    server.start()
    samba_ns.remember_pid()
    a.assert_writes("r", alice, "after.txt", "after\n")
    b.assert_reads_only("r", alice, "after.txt", "after\n")
