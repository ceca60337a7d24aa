"""Share servers for real: the local backend with DHSS=True, the netns compute helper and
the standalone network helper, driven through the API with python-manilaclient.

Each share network gets a share server: a network namespace on a bridge the share
service owns, with an address from 198.18.<n>.10-11 and its own Ganesha and smbd. A
client in a third namespace (198.18.<n>.50, on the same bridge) writes over NFS (the
pure-Python NFSv4 client, run in the namespace) and CIFS (smbclient).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import local_backend as lb
from tests.e2e.samba.conftest import SmbClient
from tests.e2e.share_server_env import USERS, Env, ip, our_namespaces
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


@pytest.fixture
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    for tool in ("ip", "nsenter", "ganesha.nfsd", "smbd", "smbclient"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    # short: Ganesha's bus socket path under the state directory must fit in 108 bytes
    tmp = Path(tempfile.mkdtemp(prefix="abss-", dir="/tmp"))
    environment = Env(tmp)
    failed = request.session.testsfailed
    try:
        yield environment
    finally:
        if request.session.testsfailed > failed:  # the service's log, for the report
            for log in sorted(tmp.glob("*.log")):
                print(f"--- {log.name}\n" + "".join(log.read_text().splitlines(True)[-150:]))
        environment.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def _network_and_type(mc: Any, name: str) -> Any:
    return mc.share_networks.create(name=name)


def _share(mc: Any, proto: str, network: Any) -> tuple[Any, str]:
    share = servers.wait_for_status(
        mc, mc.shares.create(proto, 1, share_network=network.id, share_type="dhss").id,
        timeout=120)
    assert share.status == "available", share
    return share, lb.export_path(mc, share)


def _allow(mc: Any, share: Any, to: str) -> None:
    mc.shares.allow(share, "ip", to, "rw")
    servers.wait_until(
        lambda: [r.state for r in mc.share_access_rules.access_list(share)] == ["active"],
        what="rule active")


def _ganesha_namespaces(state: Path) -> set[int]:
    """Network namespace inodes of the Ganesha processes started for ``state``."""
    found = set()
    for pid in lb.our_pids(str(state)):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "ganesha.nfsd":
                found.add(os.stat(f"/proc/{pid}/ns/net").st_ino)
        except OSError:
            continue
    return found


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] + " " + \
            Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")[:80]
    except OSError:
        return "gone"


def _pids_in(state: Path, inode: int) -> dict[int, str]:
    """{pid: program} of the processes started for ``state`` in one network namespace."""
    found = {}
    for pid in lb.our_pids(str(state)):
        try:
            if os.stat(f"/proc/{pid}/ns/net").st_ino == inode:
                found[pid] = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
    return found


def _setup_two_projects(env: Env) -> dict[str, Any]:
    admin = env.mc("admin")
    admin.share_types.create("dhss", True)
    out: dict[str, Any] = {}
    for project in ("proja", "projb"):
        mc = env.mc(project)
        network = _network_and_type(mc, f"net-{project}")
        nfs, nfs_path = _share(mc, "NFS", network)
        cifs, cifs_path = _share(mc, "CIFS", network)
        out[project] = {"mc": mc, "network": network, "nfs": nfs, "nfs_path": nfs_path,
                        "cifs": cifs, "cifs_path": cifs_path}
    return out


def test_two_projects_get_two_servers_that_serve_only_their_own_shares(env: Env) -> None:
    env.start("first.log")
    p = _setup_two_projects(env)
    a, b = p["proja"], p["projb"]
    a_addr, b_addr = (x["nfs_path"].split(":")[0] for x in (a, b))
    assert {a_addr, b_addr} == {f"{env.net}.10", f"{env.net}.11"}
    # one server per share network: NFS and CIFS shares of a project share an address
    assert a["cifs_path"].startswith(f"\\\\{a_addr}\\")
    assert b["cifs_path"].startswith(f"\\\\{b_addr}\\")
    servers_list = env.mc("admin").share_servers.list()
    assert len([s for s in servers_list if s.status == "active"]) == 2
    namespaces = our_namespaces()
    assert len(namespaces) == 2
    ns_inodes = {os.stat(f"/run/netns/{ns}").st_ino for ns in namespaces}
    assert _ganesha_namespaces(env.state) == ns_inodes  # one Ganesha inside each

    env.attach_client()
    # no rule: refused; a rule for the client's address: written
    assert not env.nfs_write(a["nfs_path"], "x.txt", "no rule\n")
    _allow(a["mc"], a["nfs"], env.client_ip)
    assert env.nfs_write(a["nfs_path"], "x.txt", "from the client\n")
    # A's rule does not open B's share, at B's address or through A's
    assert not env.nfs_write(b["nfs_path"], "x.txt", "not mine\n")
    b_name = b["nfs_path"].split(":", 1)[1]
    assert not env.nfs_write(f"{a_addr}:{b_name}", "x.txt", "not through A\n")
    # A rule for another address does not let the client in
    _allow(b["mc"], b["nfs"], f"{env.net}.51")
    assert not env.nfs_write(b["nfs_path"], "x.txt", "wrong address\n")

    # CIFS the same
    smb_a, share_a = env.smb(a["cifs_path"])
    smb_b, share_b = env.smb(b["cifs_path"])
    login = f"alice%{USERS['alice']}"
    smb_a.assert_refused(share_a, login)
    _allow(a["mc"], a["cifs"], env.client_ip)
    smb_a.assert_writes(share_a, login, "hello.txt", "hello over smb\n")
    smb_b.assert_refused(share_b, login)
    SmbClient(a_addr, 445, env.scratch, env.in_client()).assert_refused(share_b, login)

    # a third share network: the pool (two addresses) is exhausted
    c = env.mc("projc")
    network_c = _network_and_type(c, "net-projc")
    share_c = servers.wait_for_status(
        c, c.shares.create("NFS", 1, share_network=network_c.id, share_type="dhss").id,
        statuses=("error",), timeout=60)
    assert share_c.status == "error"
    messages = [m for m in c.messages.list() if m.resource_id == share_c.id]
    assert messages and "no free address" in messages[0].user_message
    assert len(our_namespaces()) == 2  # nothing half-made

    # delete A's shares: the cleanup removes A's server (namespace, processes, address)
    a_ns = {ns for ns in namespaces
            if f"{a_addr}/" in ip("-n", ns, "-4", "addr", "show", "dev", "eth0")}
    assert len(a_ns) == 1
    a_inode = os.stat(f"/run/netns/{next(iter(a_ns))}").st_ino
    a_pids = _pids_in(env.state, a_inode)
    assert {"ganesha.nfsd", "dbus-daemon", "smbd"} <= set(a_pids.values())
    for share in (a["nfs"], a["cifs"]):
        a["mc"].shares.delete(share)
    servers.wait_until(lambda: our_namespaces() == namespaces - a_ns, timeout=60,
                       what="A's namespace removed by the cleanup")
    assert len(_ganesha_namespaces(env.state)) == 1
    # none of the processes that served A is left
    # (zombies do not count: they run nothing and are pid 1's to reap in a container)
    left = {p: state for p in a_pids if (state := _state(p)) != "gone"
            and not state.startswith("Z")}
    assert left == {}, (a_pids, left)
    servers.wait_until(lambda: len([s for s in env.mc("admin").share_servers.list()
                                    if s.status == "active"]) == 1, what="server gone")
    # its address is free again: project C's next share gets a server with it
    share_c2, path_c2 = _share(c, "NFS", network_c)
    assert path_c2.startswith(f"{a_addr}:/")
    # and the client, which talked to A's server at that address, reaches C's at once
    _allow(c, share_c2, env.client_ip)
    assert env.nfs_write(path_c2, "c.txt", "to the new server\n")


def test_kill_9_then_restart_brings_both_servers_back(env: Env) -> None:
    env.start("first.log")
    p = _setup_two_projects(env)
    env.attach_client()
    for project in ("proja", "projb"):
        _allow(p[project]["mc"], p[project]["nfs"], env.client_ip)
        _allow(p[project]["mc"], p[project]["cifs"], env.client_ip)
        assert env.nfs_write(p[project]["nfs_path"], "before.txt", "before\n")

    assert env.proc is not None
    env.proc.kill()
    env.start("second.log")
    assert len(our_namespaces()) == 2
    login = f"alice%{USERS['alice']}"
    for project in ("proja", "projb"):
        x = p[project]
        assert servers.wait_until(lambda x=x: env.nfs_write(x["nfs_path"], "after.txt",
                                                            "after\n"), timeout=60)
        smb, share = env.smb(x["cifs_path"])
        smb.assert_writes(share, login, "after.txt", "after over smb\n")
    # and a graceful stop takes the namespaces down with the daemons
    env.proc.stop()
    env.proc = None
    assert our_namespaces() == set()
    assert lb.our_pids(str(env.state)) == []


def test_concurrent_new_networks_never_share_an_address(tmp_path: Path) -> None:
    """Four share networks at once against a pool of three addresses: three servers
    with three different addresses, and one share in error saying why."""
    env = Env(Path(tempfile.mkdtemp(prefix="abss-", dir="/tmp")), first=10, last=12)
    try:
        env.start("first.log")
        env.mc("admin").share_types.create("dhss", True)
        clients = [env.mc(f"proj{i}") for i in range(4)]
        networks = [mc.share_networks.create(name=f"net{i}") for i, mc in enumerate(clients)]
        ids: list[str] = []

        def create(i: int) -> None:
            share = clients[i].shares.create("NFS", 1, share_network=networks[i].id,
                                             share_type="dhss")
            ids.append(share.id)

        threads = [threading.Thread(target=create, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        admin = env.mc("admin")
        done = [servers.wait_for_status(admin, share_id, timeout=120) for share_id in ids]
        available = [s for s in done if s.status == "available"]
        assert len(available) == 3, [s.status for s in done]
        addresses = {lb.export_path(admin, s).split(":")[0] for s in available}
        assert addresses == {f"{env.net}.{i}" for i in (10, 11, 12)}
        assert len(our_namespaces()) == 3
        failed = next(s for s in done if s.status == "error")
        texts = [m.user_message for mc in clients for m in mc.messages.list()
                 if m.resource_id == failed.id]
        assert texts and "no free address" in texts[0]
    finally:
        env.cleanup()
        shutil.rmtree(env.tmp, ignore_errors=True)
