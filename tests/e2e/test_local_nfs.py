"""The local backend over NFS, end to end: API -> btrfs + NFS-Ganesha -> a real client."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import local_backend as lb
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]
TYPE = "local-nfs"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("local-nfs")
    nfs_port = servers.free_port()
    backends = {"local": lb.local_backend(tmp, nfs_port, servers.free_port(), "NFS")}
    state = tmp / "state"
    with lb.local_all_in_one(tmp, backends) as (url, proc):
        servers.wait_for_pools(url, 1)
        mc = servers.manila(url, "2.42")
        mc.share_types.create(TYPE, spec_driver_handles_share_servers=False,
                              extra_specs={"snapshot_support": "True",
                                           "create_share_from_snapshot_support": "True",
                                           "revert_to_snapshot_support": "True"})
        yield {"url": url, "mc": mc, "port": nfs_port, "tmp": tmp, "proc": proc,
               "state": state}


def _share(d: dict[str, Any], size: int = 1, **kw: Any) -> tuple[Any, str]:
    mc = d["mc"]
    share = servers.wait_for_status(mc, mc.shares.create("NFS", size, share_type=TYPE,
                                                         **kw).id)
    assert share.status == "available", share
    path = lb.export_path(mc, share)
    assert path.startswith("127.0.0.1:/share-")
    return share, path.rsplit("/", 1)[-1]


def _allow(d: dict[str, Any], share: Any, to: str, level: str) -> Any:
    mc = d["mc"]
    rule = mc.shares.allow(share, "ip", to, level)
    servers.wait_until(lambda: all(r.state == "active" for r in mc.shares.access_list(share)),
                       what="rules active")
    return rule


def _deny(d: dict[str, Any], share: Any, rule: Any) -> None:
    mc = d["mc"]
    mc.shares.deny(share, rule["id"])
    servers.wait_until(lambda: rule["id"] not in {r.id for r in mc.shares.access_list(share)},
                       what="rule gone")


def test_access_rules_decide_who_reads_and_writes(deployment: dict[str, Any]) -> None:
    d, port = deployment, deployment["port"]
    share, name = _share(d)
    assert not lb.nfs_reachable(port, name)  # no rule: refused
    rw = _allow(d, share, "127.0.0.1", "rw")
    assert lb.nfs_write(port, name, "hello.txt", b"hello over nfs\n")
    assert lb.nfs_read(port, name, "hello.txt") == b"hello over nfs\n"
    _deny(d, share, rw)
    assert not lb.nfs_reachable(port, name)
    ro = _allow(d, share, "127.0.0.0/8", "ro")
    assert lb.nfs_read(port, name, "hello.txt") == b"hello over nfs\n"
    assert not lb.nfs_write(port, name, "other.txt", b"refused")
    _deny(d, share, ro)
    assert not lb.nfs_reachable(port, name)
    d["mc"].shares.delete(share)


def test_size_is_a_hard_limit_and_extend_makes_room(deployment: dict[str, Any]) -> None:
    d, port = deployment, deployment["port"]
    share, name = _share(d, size=1)
    _allow(d, share, "127.0.0.1", "rw")
    assert not lb.nfs_write(port, name, "big.bin", lb.gib_chunks(1.1))  # past 1 GiB
    # the partial copy still holds ~1 GiB: 3 GiB leaves room for a whole second copy
    d["mc"].shares.extend(share, 3)
    assert servers.wait_for_status(d["mc"], share.id).size == 3
    assert lb.nfs_write(port, name, "big2.bin", lb.gib_chunks(1.1))
    d["mc"].shares.delete(share)


def test_snapshot_clone_and_revert_hold_the_old_content(deployment: dict[str, Any]) -> None:
    d, port, mc = deployment, deployment["port"], deployment["mc"]
    share, name = _share(d)
    _allow(d, share, "127.0.0.1", "rw")
    assert lb.nfs_write(port, name, "data.txt", b"version one\n")
    snap = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="snapshot")
    assert lb.nfs_write(port, name, "data.txt", b"version two\n")
    assert lb.nfs_write(port, name, "later.txt", b"after the snapshot\n")

    clone = servers.wait_for_status(mc, mc.shares.create("NFS", 1, snapshot_id=snap.id).id)
    assert clone.status == "available"
    clone_name = lb.export_path(mc, clone).rsplit("/", 1)[-1]
    _allow(d, clone, "127.0.0.1", "rw")
    assert lb.nfs_read(port, clone_name, "data.txt") == b"version one\n"
    assert lb.nfs_read(port, clone_name, "later.txt") is None

    mc.shares.revert_to_snapshot(share, snap)
    assert servers.wait_for_status(mc, share.id).status == "available"
    assert lb.nfs_read(port, name, "data.txt") == b"version one\n"  # served again, same rule
    assert lb.nfs_read(port, name, "later.txt") is None
    assert lb.nfs_write(port, name, "after-revert.txt", b"still writable\n")

    mc.shares.delete(clone)
    mc.share_snapshots.delete(snap)
    servers.wait_until(lambda: not mc.share_snapshots.list(search_opts={"share_id": share.id}),
                       what="snapshot deleted")
    mc.shares.delete(share)


def test_shrink_below_usage_keeps_the_data(deployment: dict[str, Any]) -> None:
    d, port, mc = deployment, deployment["port"], deployment["mc"]
    share, name = _share(d, size=2)
    _allow(d, share, "127.0.0.1", "rw")
    assert lb.nfs_write(port, name, "shrink.bin", lb.gib_chunks(1.2))
    mc.shares.shrink(share, 1)
    share = servers.wait_for_status(mc, share.id, ("shrinking_possible_data_loss_error",))
    assert share.status == "shrinking_possible_data_loss_error" and share.size == 2
    data = lb.nfs_read(port, name, "shrink.bin")
    assert data is not None and len(data) == int(1.2 * 1024**3) // (1 << 20) * (1 << 20)
    mc.shares.reset_state(share, "available")
    mc.shares.delete(share)


def test_ganesha_killed_is_restarted_with_its_rules(deployment: dict[str, Any]) -> None:
    d, port = deployment, deployment["port"]
    share, name = _share(d)
    _allow(d, share, "127.0.0.1", "ro")
    assert lb.nfs_reachable(port, name)
    pidfile = Path(d["state"]) / "local" / "local" / "ganesha" / "ganesha.pid"
    old = int(pidfile.read_text())
    os.kill(old, signal.SIGKILL)
    servers.wait_until(lambda: pidfile.exists() and pidfile.read_text().strip()
                       and int(pidfile.read_text()) != old, timeout=20,
                       what="ganesha restarted")
    servers.wait_until(lambda: lb.nfs_reachable(port, name), timeout=20, what="served again")
    assert not lb.nfs_write(port, name, "x.txt", b"ro still")
    d["mc"].shares.delete(share)


def test_hostile_values_are_refused(deployment: dict[str, Any]) -> None:
    import requests

    d = deployment
    share, _name = _share(d)
    for value in ("127.0.0.1\nAccess_Type = RW", "127.0.0.1; }", "0.0.0.0", "*"):
        resp = requests.post(f"{d['url']}/v2/shares/{share.id}/action",
                             json={"allow_access": {"access_type": "ip", "access_to": value}},
                             headers={"X-Auth-Token": "admin:demo",
                                      "X-OpenStack-Manila-API-Version": "2.42"}, timeout=10)
        assert resp.status_code == 400, value
    assert d["mc"].shares.access_list(share) == []
    d["mc"].shares.delete(share)


def test_unmanage_then_manage_keeps_the_data(deployment: dict[str, Any]) -> None:
    d, port, mc = deployment, deployment["port"], deployment["mc"]
    share, name = _share(d)
    _allow(d, share, "127.0.0.1", "rw")
    assert lb.nfs_write(port, name, "keep.txt", b"survives unmanage\n")
    location = lb.export_path(mc, share)
    mc.shares.unmanage(share)
    servers.wait_until(lambda: share.id not in {s.id for s in mc.shares.list()},
                       what="unmanaged")
    assert not lb.nfs_reachable(port, name)  # no longer exported

    managed = mc.shares.manage(service_host="testhost@local#local", protocol="NFS",
                               export_path=location, share_type=TYPE, name="adopted")
    managed = servers.wait_for_status(mc, managed.id)
    assert (managed.status, managed.size) == ("available", 1)
    new_name = lb.export_path(mc, managed).rsplit("/", 1)[-1]
    _allow(d, managed, "127.0.0.1", "rw")
    assert lb.nfs_read(port, new_name, "keep.txt") == b"survives unmanage\n"

    bad = mc.shares.manage(service_host="testhost@local#local", protocol="NFS",
                           export_path="127.0.0.1:/share-does-not-exist", share_type=TYPE)
    assert servers.wait_for_status(mc, bad.id, ("manage_error",)).status == "manage_error"
    mc.shares.delete(bad)
    mc.shares.delete(managed)


def test_unmanage_and_manage_a_snapshot(deployment: dict[str, Any]) -> None:
    d, port, mc = deployment, deployment["port"], deployment["mc"]
    share, name = _share(d)
    _allow(d, share, "127.0.0.1", "rw")
    assert lb.nfs_write(port, name, "v.txt", b"snapshotted\n")
    snap = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available")
    location = mc.share_snapshots.get(snap.id).provider_location
    mc.share_snapshots.unmanage(snap)
    servers.wait_until(lambda: not mc.share_snapshots.list(search_opts={"share_id": share.id}),
                       what="snapshot unmanaged")
    adopted = mc.share_snapshots.manage(share, location, name="adopted-snap")
    servers.wait_until(lambda: mc.share_snapshots.get(adopted.id).status == "available",
                       what="snapshot managed")
    assert lb.nfs_write(port, name, "v.txt", b"changed\n")
    mc.shares.revert_to_snapshot(share, adopted)
    servers.wait_for_status(mc, share.id)
    assert lb.nfs_read(port, name, "v.txt") == b"snapshotted\n"
    mc.share_snapshots.delete(adopted)
    servers.wait_until(lambda: not mc.share_snapshots.list(search_opts={"share_id": share.id}),
                       what="snapshot deleted")
    mc.shares.delete(share)
