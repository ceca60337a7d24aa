"""Share groups on the local backend, end to end: a group snapshot of two shares on
btrfs, a group made from it, and a real NFS client reading what each share held."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import local_backend as lb
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


def _gone(get: Any, ident: str) -> bool:
    from manilaclient.common.apiclient import exceptions as api_exc

    try:
        get(ident)
    except api_exc.NotFound:
        return True
    return False


def _open(mc: Any, share: Any) -> str:
    mc.shares.allow(share, "ip", "127.0.0.1", "rw")
    servers.wait_until(lambda: all(r.state == "active"
                                   for r in mc.share_access_rules.access_list(share)),
                       what="rule active")
    return lb.export_path(mc, share).rsplit("/", 1)[-1]


def _status(get: Any, ident: str) -> Any:
    def settled() -> Any:
        found = get(ident)
        return found if found.status not in ("creating", "deleting") else None

    return servers.wait_until(settled, what=f"{ident} settled")


def test_group_snapshot_and_group_from_it_hold_each_shares_content(tmp_path: Path) -> None:
    port = servers.free_port()
    backends = {"local": lb.local_backend(tmp_path, port, servers.free_port(), "NFS")}
    with lb.local_all_in_one(tmp_path, backends) as (url, _proc):
        servers.wait_for_pools(url, 1)
        mc = servers.manila(url, "2.55")
        st = mc.share_types.create("local-group", spec_driver_handles_share_servers=False,
                                   extra_specs={"snapshot_support": "True",
                                                "create_share_from_snapshot_support": "True"})
        gt = mc.share_group_types.create("local-gt", [st.id])
        group = _status(mc.share_groups.get, mc.share_groups.create(
            share_group_type=gt.id, share_types=[st.id]).id)
        assert group.status == "available" and group.host.startswith("testhost@local#")

        shares, names = [], []
        for index in range(2):
            share = servers.wait_for_status(mc, mc.shares.create(
                "NFS", 1, share_type=st.id, share_group_id=group.id).id)
            assert share.status == "available"
            name = _open(mc, share)
            assert lb.nfs_write(port, name, "data.txt", f"share {index} before\n".encode())
            shares.append(share)
            names.append(name)

        snap = _status(mc.share_group_snapshots.get,
                       mc.share_group_snapshots.create(group).id)
        assert snap.status == "available"
        for name in names:
            assert lb.nfs_write(port, name, "data.txt", b"after the group snapshot\n")

        copy_group = _status(mc.share_groups.get, mc.share_groups.create(
            source_share_group_snapshot=snap.id).id)
        assert copy_group.status == "available"
        copies = mc.shares.list(search_opts={"share_group_id": copy_group.id})
        members = {m["id"]: m["share_id"] for m in snap.members}
        assert len(copies) == 2
        for copy in copies:
            copy = mc.shares.get(copy.id)
            assert copy.status == "available"
            index = [s.id for s in shares].index(members[
                copy.source_share_group_snapshot_member_id])
            assert lb.nfs_read(port, _open(mc, copy), "data.txt") == \
                f"share {index} before\n".encode()
        for name in names:  # the originals kept their later content
            assert lb.nfs_read(port, name, "data.txt") == b"after the group snapshot\n"

        for share in copies:
            mc.shares.delete(share, share_group_id=copy_group.id)
        mc.share_group_snapshots.delete(snap)
        servers.wait_until(lambda: _gone(mc.share_group_snapshots.get, snap.id),
                           what="group snapshot deleted")
        for share in shares:
            mc.shares.delete(share, share_group_id=group.id)
        servers.wait_until(lambda: not mc.shares.list(), what="shares deleted")
        for g in (copy_group, group):
            mc.share_groups.delete(g)
            servers.wait_until(lambda g=g: _gone(mc.share_groups.get, g.id),
                               what="group deleted")
