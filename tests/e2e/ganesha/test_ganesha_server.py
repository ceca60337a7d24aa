"""GaneshaServer against a real ganesha.nfsd and the libnfs user-space NFS client."""

from __future__ import annotations

import os
import secrets
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from abaca.common.errors import DriverError, Invalid
from abaca.share.processutils import run
from abaca.share.protocols.ganesha import GaneshaServer
from abaca.share.protocols.rules import IpRule

from .conftest import Ganesha, pids_running_from, start_ganesha

pytestmark = pytest.mark.e2e

RW = [IpRule("127.0.0.1", "rw")]
RO = [IpRule("127.0.0.1", "ro")]


def test_an_export_without_rules_refuses_every_client(ganesha: Ganesha) -> None:
    ganesha.server.export(7, str(ganesha.share_dir("a")), "/a", [])

    assert ganesha.server.active_exports() == {7}
    assert ganesha.server.configured_exports() == {7}
    ganesha.client.assert_refused("/a")
    # Nor does the pseudo root show it to a client without access.
    root = ganesha.client.ls("/")
    assert root.returncode == 0, root.stderr
    assert "a" not in root.stdout.split()


def test_rw_then_ro_then_revoked_then_unexported(ganesha: Ganesha) -> None:
    server, client = ganesha.server, ganesha.client
    share = ganesha.share_dir("a")

    server.export(7, str(share), "/a", RW)
    client.assert_writes("/a", "hello.txt", "written over NFS\n")
    assert (share / "hello.txt").read_text() == "written over NFS\n"

    server.export(7, str(share), "/a", RO)  # UpdateExport
    read = client.read("/a", "hello.txt")
    assert read.returncode == 0, read.stderr
    assert read.stdout == "written over NFS\n"
    for name in ("hello.txt", "new.txt"):
        write = client.write("/a", name, "refused\n")
        assert write.returncode != 0
        assert "NFS4ERR_ROFS" in write.stderr
    assert (share / "hello.txt").read_text() == "written over NFS\n"
    assert not (share / "new.txt").exists()

    server.export(7, str(share), "/a", [])
    client.assert_refused("/a")
    assert server.active_exports() == {7}

    server.unexport(7)
    assert server.active_exports() == set()
    assert server.configured_exports() == set()
    client.assert_refused("/a")
    server.unexport(7)  # already gone: still fine


def test_export_is_idempotent(ganesha: Ganesha) -> None:
    share = str(ganesha.share_dir("a"))
    for _ in range(3):
        ganesha.server.export(9, share, "/a", RW)
    assert ganesha.server.active_exports() == {9}
    ganesha.client.assert_writes("/a", "f", "x")


def test_a_cidr_rule_admits_the_network(ganesha: Ganesha) -> None:
    ganesha.server.export(8, str(ganesha.share_dir("b")), "/b", [IpRule("127.0.0.0/8", "rw")])
    ganesha.client.assert_writes("/b", "f.txt", "cidr\n")


def test_a_rule_for_another_network_does_not_admit_us(ganesha: Ganesha) -> None:
    ganesha.server.export(8, str(ganesha.share_dir("b")), "/b",
                          [IpRule("198.18.0.0/15", "rw"), IpRule("127.0.0.2", "rw")])
    ganesha.client.assert_refused("/b")


def test_a_host_rule_overrides_its_network_rule(ganesha: Ganesha) -> None:
    ganesha.server.export(8, str(ganesha.share_dir("b")), "/b",
                          [IpRule("127.0.0.0/8", "rw"), IpRule("127.0.0.1", "ro")])
    assert "NFS4ERR_ROFS" in ganesha.client.write("/b", "f.txt", "x").stderr


def test_changing_path_or_pseudo_replaces_the_export(ganesha: Ganesha) -> None:
    server, client = ganesha.server, ganesha.client
    first, second = ganesha.share_dir("first"), ganesha.share_dir("second")
    (first / "which").write_text("first\n")
    (second / "which").write_text("second\n")

    server.export(3, str(first), "/s", RO)
    assert client.read("/s", "which").stdout == "first\n"
    server.export(3, str(second), "/s", RO)  # Ganesha cannot update Path
    assert client.read("/s", "which").stdout == "second\n"
    server.export(3, str(second), "/moved", RO)  # nor apply a new Pseudo on update
    assert client.read("/moved", "which").stdout == "second\n"
    client.assert_refused("/s")
    assert server.active_exports() == {3}


def test_stop_and_start_serve_the_export_files_again(ganesha: Ganesha) -> None:
    server, client = ganesha.server, ganesha.client
    share = ganesha.share_dir("a")
    server.export(7, str(share), "/a", RO)
    server.export(8, str(ganesha.share_dir("b")), "/b", [])
    (share / "kept.txt").write_text("kept\n")
    old = [pid for pid in server.pids.values() if pid is not None]

    server.stop()
    assert server.pids == {"ganesha": None, "dbus": None}
    assert not set(old) & pids_running_from(server.workdir)
    assert server.configured_exports() == {7, 8}

    server.start()
    ganesha.remember_pids()
    assert server.active_exports() == {7, 8}  # from the files, no D-Bus call
    assert client.read("/a", "kept.txt").stdout == "kept\n"
    assert "NFS4ERR_ROFS" in client.write("/a", "new.txt", "x").stderr  # still ro
    client.assert_refused("/b")  # still no rule


def test_kill_9_then_ensure_running_serves_the_same_rules(ganesha: Ganesha) -> None:
    server, client = ganesha.server, ganesha.client
    server.export(7, str(ganesha.share_dir("a")), "/a", RW)
    client.assert_writes("/a", "before.txt", "before\n")
    server.export(7, str(ganesha.share_dir("a")), "/a", RO)
    assert server.ensure_running() is False

    killed = server.pids["ganesha"]
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while server.pids["ganesha"] is not None and time.monotonic() < deadline:
        time.sleep(0.02)

    assert server.ensure_running() is True
    ganesha.remember_pids()
    assert server.pids["ganesha"] not in (None, killed)
    assert server.active_exports() == {7}
    assert client.read("/a", "before.txt").stdout == "before\n"
    assert "NFS4ERR_ROFS" in client.write("/a", "after.txt", "x").stderr
    assert server.ensure_running() is False


def test_a_dead_bus_restarts_ganesha_with_it(ganesha: Ganesha) -> None:
    server = ganesha.server
    server.export(7, str(ganesha.share_dir("a")), "/a", RW)
    bus = server.pids["dbus"]
    assert bus is not None
    os.kill(bus, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while server.pids["dbus"] is not None and time.monotonic() < deadline:
        time.sleep(0.02)

    assert server.ensure_running() is True
    ganesha.remember_pids()
    assert server.active_exports() == {7}
    ganesha.client.assert_writes("/a", "f", "bus restarted\n")


def test_a_new_server_object_stops_the_ganesha_of_an_earlier_life(ganesha: Ganesha) -> None:
    server = ganesha.server
    server.export(7, str(ganesha.share_dir("a")), "/a", RW)
    stale = {pid for pid in server.pids.values() if pid is not None}

    # The share service restarted: a new object, same work directory.
    successor = GaneshaServer(server.workdir, server.bind_address, server.port)
    successor.start()
    try:
        ganesha.seen_pids |= {pid for pid in successor.pids.values() if pid is not None}
        assert not stale & pids_running_from(server.workdir)
        assert successor.active_exports() == {7}
        ganesha.client.assert_writes("/a", "f", "second life\n")
    finally:
        successor.stop()


HOSTILE_PATHS = ["/srv/a\nb", '/srv/a"b', "/srv/a}b", "/srv/a{b", "/srv/a;b", "/srv/../etc",
                 "/srv/a/..", "/srv/./a", "/srv/a\0b", "srv/a", "/", "//srv", "/srv/a/",
                 "/srv/a b", "/srv/a#b", "/srv/a\\b", "/srv/%include", "/" + "a" * 4096]
HOSTILE_PSEUDOS = ["/a;b", "/a\nb", '/a"', "/a}", "/..", "a", "/", "/a b"]
HOSTILE_ADDRESSES = ["1.2.3.4; Access_Type=RW", "1.2.3.4\n", "1.2.3.4 }", "*", "@netgroup",
                     "host.example", "0.0.0.0", "::", "1.2.3.4/33", "fe80::1%eth0",
                     "2001:db8::/100", '"1.2.3.4"', ""]


@pytest.fixture
def hostile_check(ganesha: Ganesha) -> Iterator[Ganesha]:
    yield ganesha
    # Nothing reached Ganesha or the disk.
    assert ganesha.server.active_exports() == set()
    assert os.listdir(ganesha.server.exports_dir) == []


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_paths_are_refused_before_anything_is_written(hostile_check: Ganesha,
                                                              path: str) -> None:
    with pytest.raises(Invalid):
        hostile_check.server.export(5, path, "/a", RW)


@pytest.mark.parametrize("pseudo", HOSTILE_PSEUDOS)
def test_hostile_pseudo_paths_are_refused(hostile_check: Ganesha, pseudo: str) -> None:
    with pytest.raises(Invalid):
        hostile_check.server.export(5, str(hostile_check.share_dir("a")), pseudo, RW)


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_hostile_addresses_are_refused(hostile_check: Ganesha, address: str) -> None:
    rules = [IpRule("127.0.0.1", "rw"), IpRule(address, "rw")]
    with pytest.raises(Invalid):
        hostile_check.server.export(5, str(hostile_check.share_dir("a")), "/a", rules)


@pytest.mark.parametrize("export_id", [0, -1, 65536])
def test_export_ids_outside_1_to_65535_are_refused(hostile_check: Ganesha,
                                                   export_id: int) -> None:
    with pytest.raises(Invalid):
        hostile_check.server.export(export_id, str(hostile_check.share_dir("a")), "/a", RW)
    with pytest.raises(Invalid):
        hostile_check.server.unexport(export_id)


def test_a_missing_directory_is_a_driver_error(hostile_check: Ganesha) -> None:
    with pytest.raises(DriverError):
        hostile_check.server.export(5, str(hostile_check.tmp / "missing"), "/a", RW)


def test_a_refused_add_leaves_no_file(ganesha: Ganesha) -> None:
    server = ganesha.server
    server.export(5, str(ganesha.share_dir("a")), "/a", RW)
    # A second export on the same pseudo path: Ganesha refuses it.
    with pytest.raises(DriverError):
        server.export(6, str(ganesha.share_dir("b")), "/a", RW)
    assert server.configured_exports() == {5}
    assert server.active_exports() == {5}


@pytest.fixture
def ganesha6(tmp_path: Path) -> Iterator[Ganesha]:
    if not Path("/proc/net/if_inet6").read_text().strip():
        pytest.skip("no IPv6 here")
    with start_ganesha(tmp_path, "::1") as env:
        yield env


def test_ipv6_bind_address_and_rule(ganesha6: Ganesha) -> None:
    ganesha6.server.export(4, str(ganesha6.share_dir("v6")), "/v6", [IpRule("::1", "rw")])
    ganesha6.client.assert_writes("/v6", "f.txt", "over IPv6\n")
    ganesha6.server.export(4, str(ganesha6.share_dir("v6")), "/v6", [IpRule("::2", "rw")])
    ganesha6.client.assert_refused("/v6")


def test_start_twice_keeps_the_running_daemons(ganesha: Ganesha) -> None:
    before = ganesha.server.pids
    ganesha.server.start()
    assert ganesha.server.pids == before


@pytest.fixture
def netns(needs_root: None) -> Iterator[tuple[str, str, str]]:
    """A namespace joined to the host by a veth pair in 198.19/16: (name, host, server)."""
    suffix = secrets.token_hex(3)
    name, host_if, ns_if = f"abaca-g-{suffix}", f"ag{suffix}h", f"ag{suffix}n"
    base = f"198.19.{secrets.randbelow(250) + 1}.{secrets.randbelow(60) * 4}"
    prefix, last = base.rsplit(".", 1)
    host_ip, ns_ip = f"{prefix}.{int(last) + 1}", f"{prefix}.{int(last) + 2}"
    run(["ip", "netns", "add", name])
    try:
        run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if,
             "netns", name])
        run(["ip", "addr", "add", f"{host_ip}/30", "dev", host_if])
        run(["ip", "link", "set", host_if, "up"])
        run(["ip", "addr", "add", f"{ns_ip}/30", "dev", ns_if], prefix=_ns(name))
        run(["ip", "link", "set", ns_if, "up"], prefix=_ns(name))
        run(["ip", "link", "set", "lo", "up"], prefix=_ns(name))
        yield name, host_ip, ns_ip
    finally:
        run(["ip", "netns", "del", name], check=False)
        run(["ip", "link", "del", host_if], check=False)


def _ns(name: str) -> list[str]:
    return ["ip", "netns", "exec", name]


def test_served_from_inside_a_network_namespace(netns: tuple[str, str, str],
                                                tmp_path: Path) -> None:
    name, host_ip, ns_ip = netns
    with start_ganesha(tmp_path, ns_ip, prefix=_ns(name)) as env:
        ns_pid = env.server.pids["ganesha"]
        assert os.stat(f"/proc/{ns_pid}/ns/net").st_ino == os.stat(f"/run/netns/{name}").st_ino
        env.server.export(2, str(env.share_dir("n")), "/n", [IpRule(host_ip, "rw")])
        env.client.assert_writes("/n", "f.txt", "from the host into the namespace\n")
        env.server.export(2, str(env.share_dir("n")), "/n", [IpRule("127.0.0.1", "rw")])
        env.client.assert_refused("/n")


def test_a_failed_start_leaves_no_process(tmp_path: Path) -> None:
    """Ganesha cannot bind (the port is taken): start fails and its bus is gone too."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = GaneshaServer(tmp_path / "g", "127.0.0.1", taken.getsockname()[1])
        with pytest.raises(DriverError):
            server.start(timeout=15)
    assert server.pids == {"ganesha": None, "dbus": None}
    leftovers = [p for p in os.listdir("/proc") if p.isdigit()
                 and str(tmp_path).encode() in _cmdline(int(p))]
    assert leftovers == []


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
