"""Mountable snapshots (2.32) on the local backend, end to end: a snapshot of a share
whose type asks for mount_snapshot_support is exported read-only, over NFS by
NFS-Ganesha and over CIFS by Samba, to exactly the clients its access rules name."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import local_backend as lb
from tests.e2e.samba.conftest import SmbClient
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]
TYPE = "local-mountable"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("local-snap-mount")
    nfs_port = servers.free_port()
    backends = {"local": lb.local_backend(tmp, nfs_port, servers.free_port(), "NFS")}
    with lb.local_all_in_one(tmp, backends) as (url, _proc):
        servers.wait_for_pools(url, 1)
        mc = servers.manila(url, "2.65")
        mc.share_types.create(TYPE, spec_driver_handles_share_servers=False,
                              extra_specs={"snapshot_support": "True",
                                           "mount_snapshot_support": "True"})
        yield {"mc": mc, "port": nfs_port, "state": tmp / "state"}


def _wait_rules(mc: Any, snap: Any, expected: dict[str, str]) -> None:
    servers.wait_until(lambda: {r.access_to: r.state for r in mc.share_snapshots.access_list(
        snap)} == expected, what=f"snapshot rules {expected}")


def test_a_snapshot_is_served_read_only_to_its_rules(deployment: dict[str, Any]) -> None:
    mc, port = deployment["mc"], deployment["port"]
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1, share_type=TYPE).id)
    assert share.status == "available"
    name = lb.export_path(mc, share).rsplit("/", 1)[-1]
    rw = mc.shares.allow(share, "ip", "127.0.0.1", "rw")
    servers.wait_until(lambda: [r.state for r in mc.share_access_rules.access_list(share)]
                       == ["active"], what="the share rule")
    assert lb.nfs_write(port, name, "data.txt", b"before the snapshot\n")

    snap = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="the snapshot")
    (el,) = mc.share_snapshot_export_locations.list(snap)
    assert el.path == f"127.0.0.1:/share-snapshot-{snap.id}"
    snap_name = el.path.rsplit("/", 1)[-1]
    assert not lb.nfs_reachable(port, snap_name)  # no rule: nobody

    assert lb.nfs_write(port, name, "data.txt", b"after the snapshot\n")
    mc.share_snapshots.allow(snap, "ip", "127.0.0.0/8")
    _wait_rules(mc, snap, {"127.0.0.0/8": "active"})
    assert lb.nfs_read(port, snap_name, "data.txt") == b"before the snapshot\n"
    assert not lb.nfs_write(port, snap_name, "new.txt", b"refused")  # read-only
    assert lb.nfs_read(port, name, "data.txt") == b"after the snapshot\n"

    (rule,) = mc.share_snapshots.access_list(snap)
    mc.share_snapshots.deny(snap, rule.id)
    _wait_rules(mc, snap, {})
    assert not lb.nfs_reachable(port, snap_name)

    mc.share_snapshots.allow(snap, "ip", "127.0.0.1")
    _wait_rules(mc, snap, {"127.0.0.1": "active"})
    mc.share_snapshots.delete(snap)  # takes the export down first
    servers.wait_until(lambda: snap.id not in {s.id for s in mc.share_snapshots.list()},
                       what="the snapshot to go")
    assert not lb.nfs_reachable(port, snap_name)
    assert lb.nfs_read(port, name, "data.txt") == b"after the snapshot\n"
    mc.shares.deny(share, rw["id"])
    servers.wait_until(lambda: not mc.share_access_rules.access_list(share),
                       what="the share rule gone")
    mc.shares.delete(share)


def test_force_deleting_the_share_takes_its_snapshot_exports_down(
        deployment: dict[str, Any]) -> None:
    mc, port = deployment["mc"], deployment["port"]
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1, share_type=TYPE).id)
    snap = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="the snapshot")
    mc.share_snapshots.allow(snap, "ip", "127.0.0.1")
    _wait_rules(mc, snap, {"127.0.0.1": "active"})
    snap_name = f"share-snapshot-{snap.id}"
    assert lb.nfs_reachable(port, snap_name)
    bind = deployment["state"] / "local" / "local" / "exports" / snap_name
    assert lb.mounted(bind)
    mc.shares.force_delete(share)  # snapshots go first, their exports before them
    servers.wait_until(lambda: share.id not in {s.id for s in mc.shares.list()},
                       what="the share to go")
    assert not lb.nfs_reachable(port, snap_name)
    assert not lb.mounted(bind)


def _start(config: Path, log: Path, url: str) -> servers.Proc:
    proc = servers.command("abaca", config, log)
    proc.args.insert(1, "all-in-one")
    proc.start()
    servers.wait_for_api(url, proc)
    servers.wait_for_pools(url, 1)
    return proc


def test_snapshot_exports_are_served_again_after_a_restart(tmp_path: Path) -> None:
    """A graceful stop takes Ganesha and every bind mount away; the next start binds the
    snapshot's export again before Ganesha serves its export files."""
    port, nfs_port = servers.free_port(), servers.free_port()
    backends = {"local": lb.local_backend(tmp_path, nfs_port, servers.free_port(), "NFS")}
    config = servers.write_config(tmp_path / "abaca.conf",
                                  servers.base_config(tmp_path / "state", port, backends))
    url, state = f"http://127.0.0.1:{port}", tmp_path / "state"
    proc = _start(config, tmp_path / "first.log", url)
    try:
        mc = servers.manila(url, "2.65")
        mc.share_types.create(TYPE, spec_driver_handles_share_servers=False,
                              extra_specs={"snapshot_support": "True",
                                           "mount_snapshot_support": "True"})
        share = servers.wait_for_status(mc, mc.shares.create("NFS", 1, share_type=TYPE).id)
        name = lb.export_path(mc, share).rsplit("/", 1)[-1]
        mc.shares.allow(share, "ip", "127.0.0.1", "rw")
        servers.wait_until(lambda: [r.state for r in mc.share_access_rules.access_list(share)]
                           == ["active"], what="the share rule")
        assert lb.nfs_write(nfs_port, name, "kept.txt", b"snapshotted\n")
        snap = mc.share_snapshots.create(share)
        servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                           what="the snapshot")
        mc.share_snapshots.allow(snap, "ip", "127.0.0.1")
        _wait_rules(mc, snap, {"127.0.0.1": "active"})
        snap_name = f"share-snapshot-{snap.id}"
        assert lb.nfs_read(nfs_port, snap_name, "kept.txt") == b"snapshotted\n"

        proc.stop()
        assert not lb.mounted(state / "local" / "local" / "exports" / snap_name)
        proc = _start(config, tmp_path / "second.log", url)
        assert servers.wait_until(lambda: lb.nfs_read(nfs_port, snap_name, "kept.txt"),
                                  timeout=30, what="the snapshot served") == b"snapshotted\n"
        assert not lb.nfs_write(nfs_port, snap_name, "refused.txt", b"read-only")
        mc.share_snapshots.delete(snap)
        servers.wait_until(lambda: not mc.share_snapshots.list(), what="snapshot deleted")
        mc.shares.delete(share)
        servers.wait_until(lambda: not mc.shares.list(), what="share deleted")
    finally:
        proc.stop()
        if lb.our_pids(str(state)) or lb.mounted(state):
            lb.cleanup_state(state)
    assert proc.popen is not None and proc.popen.returncode == 0, proc.tail()
    assert lb.our_pids(str(state)) == []
    assert lb.loop_devices_for(state / "local" / "local" / "pool.img") == ""


def test_a_cifs_snapshot_is_served_read_only_to_its_users(tmp_path: Path) -> None:
    users = tmp_path / "cifs-users"
    users.write_text("alice:Alice-pw-1\n")
    smb_port = servers.free_port()
    backends = {"local": lb.local_backend(tmp_path, servers.free_port(), smb_port, "CIFS",
                                          local_cifs_users_file=str(users))}
    scratch = tmp_path / "client"
    scratch.mkdir()
    smb, alice = SmbClient("127.0.0.1", smb_port, scratch), "alice%Alice-pw-1"
    with lb.local_all_in_one(tmp_path, backends) as (url, _proc):
        servers.wait_for_pools(url, 1)
        mc = servers.manila(url, "2.65")
        mc.share_types.create(TYPE, spec_driver_handles_share_servers=False,
                              extra_specs={"snapshot_support": "True",
                                           "mount_snapshot_support": "True"})
        share = servers.wait_for_status(mc, mc.shares.create("CIFS", 1, share_type=TYPE).id)
        name = lb.export_path(mc, share).rsplit("\\", 1)[-1]
        mc.shares.allow(share, "user", "alice", "rw")
        servers.wait_until(lambda: [r.state for r in mc.share_access_rules.access_list(share)]
                           == ["active"], what="the share rule")
        smb.assert_writes(name, alice, "notes.txt", "in the snapshot\n")
        snap = mc.share_snapshots.create(share)
        servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                           what="the snapshot")
        (el,) = mc.share_snapshot_export_locations.list(snap)
        assert el.path == f"\\\\127.0.0.1\\share-snapshot-{snap.id}"
        snap_name = el.path.rsplit("\\", 1)[-1]
        smb.assert_refused(snap_name, alice)  # no rule: nobody
        mc.share_snapshots.allow(snap, "user", "alice")
        _wait_rules(mc, snap, {"alice": "active"})
        smb.assert_reads_only(snap_name, alice, "notes.txt", "in the snapshot\n")
        (rule,) = mc.share_snapshots.access_list(snap)
        mc.share_snapshots.deny(snap, rule.id)
        _wait_rules(mc, snap, {})
        smb.assert_refused(snap_name, alice)
        mc.share_snapshots.delete(snap)
        servers.wait_until(lambda: not mc.share_snapshots.list(), what="snapshot deleted")
        mc.shares.delete(share)
