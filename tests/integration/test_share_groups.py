"""Share groups over the three services as separate processes (RabbitMQ, PostgreSQL
and MariaDB): the group, group snapshot and group-from-snapshot messages and their
payloads cross a real bus between real processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from manilaclient import exceptions as mc_exc

from tests.fixtures.servers import dummy_backend, wait_for_status, wait_until
from tests.integration.conftest import HOST, Deployment

pytestmark = pytest.mark.integration


def _settled(get: Callable[[str], Any], ident: str) -> Any:
    def done() -> Any:
        found = get(ident)
        return found if found.status not in ("creating", "deleting") else None

    return wait_until(done, timeout=120, what=f"{ident} settled")


def _gone(get: Callable[[str], Any], ident: str) -> bool:
    try:
        get(ident)
    except mc_exc.NotFound:
        return True
    return False


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_share_group_lifecycle(deploy: Callable[..., Deployment]) -> None:
    dep = deploy({"plain": dummy_backend("p0:100,p1:100"),
                  "native": dummy_backend("n0:100", share_driver="dummy_groups")})
    mc = dep.client("2.65")
    st = mc.share_types.create("grouped", spec_driver_handles_share_servers=False,
                               extra_specs={"snapshot_support": "True",
                                            "create_share_from_snapshot_support": "True"})
    gt = mc.share_group_types.create("consistent", [st.id],
                                     group_specs={"consistent_snapshot_support": "pool"})
    group = _settled(mc.share_groups.get, mc.share_groups.create(
        share_group_type=gt.id, share_types=[st.id]).id)
    assert group.status == "available", dep.logs()
    assert group.host == f"{HOST}@native#n0" and group.consistent_snapshot_support == "pool"

    shares = [wait_for_status(mc, mc.shares.create("NFS", 1, share_type=st.id,
                                                   share_group_id=group.id).id, timeout=120)
              for _ in range(2)]
    assert all(s.status == "available" and s.host == group.host for s in shares)
    snap = _settled(mc.share_group_snapshots.get, mc.share_group_snapshots.create(group).id)
    assert snap.status == "available", dep.logs()
    clone = _settled(mc.share_groups.get,
                     mc.share_groups.create(source_share_group_snapshot=snap.id).id)
    assert clone.status == "available", dep.logs()
    copies = mc.shares.list(search_opts={"share_group_id": clone.id})
    assert len(copies) == 2 and all(mc.shares.get(c.id).status == "available"
                                    for c in copies)

    mc.share_group_snapshots.delete(snap)
    wait_until(lambda: _gone(mc.share_group_snapshots.get, snap.id), timeout=120,
               what="group snapshot deleted")
    for share in [*copies, *shares]:
        mc.shares.delete(share, share_group_id=share.share_group_id)
    wait_until(lambda: not mc.shares.list(), timeout=120, what="shares deleted")
    for g in (clone, group):
        mc.share_groups.delete(g)
        wait_until(lambda g=g: _gone(mc.share_groups.get, g.id), timeout=120,
                   what="group deleted")


SLOW_GROUPS = {"share_driver": "dummy_groups",
               "dummy_method_delays": "create_share_group_snapshot:4,"
                                      "create_share_from_snapshot:4,delete_share_group:4"}
RECONCILER = {"interval": 2, "stale_after": 6, "request_timeout": 25, "orphan_grace": 5}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_sigkill_of_the_share_service_leaves_no_group_in_transit(
        deploy: Callable[..., Deployment]) -> None:
    dep = deploy({"slow": dummy_backend("s0:100", **SLOW_GROUPS)},
                 groups={"reconciler": RECONCILER})
    mc = dep.client("2.65")
    st = mc.share_types.create("grouped", spec_driver_handles_share_servers=False,
                               extra_specs={"snapshot_support": "True",
                                            "create_share_from_snapshot_support": "True"})
    gt = mc.share_group_types.create("slow", [st.id])
    group = _settled(mc.share_groups.get, mc.share_groups.create(
        share_group_type=gt.id, share_types=[st.id]).id)
    shares = [wait_for_status(mc, mc.shares.create("NFS", 1, share_type=st.id,
                                                   share_group_id=group.id).id, timeout=120)
              for _ in range(2)]
    first = _settled(mc.share_group_snapshots.get,
                     mc.share_group_snapshots.create(group).id)
    assert first.status == "available" and all(s.status == "available" for s in shares)
    empty = _settled(mc.share_groups.get, mc.share_groups.create(
        share_group_type=gt.id, share_types=[st.id]).id)

    # in flight: a group snapshot, a group from the first one, a group delete
    second = mc.share_group_snapshots.create(group).id
    clone = mc.share_groups.create(source_share_group_snapshot=first.id).id
    mc.share_groups.delete(empty)
    time.sleep(2)  # the share service is in the middle of them
    dep.share.kill()
    assert mc.share_group_snapshots.get(second).status == "creating"
    assert mc.share_groups.get(clone).status == "creating"

    dep.share.start()

    def settled() -> bool:
        groups = {g.id: g.status for g in mc.share_groups.list()}
        snaps = {s.id: s.status for s in mc.share_group_snapshots.list()}
        return (not {"creating", "deleting"} & {*groups.values(), *snaps.values()}
                and empty.id not in groups)

    wait_until(settled, timeout=90, interval=1, what="no share group in transit")
    # the group snapshot was taken again; the clone ended available or in error with a
    # user message (the dummy backend forgets its snapshots when it restarts)
    assert mc.share_group_snapshots.get(second).status == "available", dep.logs()
    ended = mc.share_groups.get(clone)
    if ended.status != "available":
        assert ended.status == "error"
        assert mc.messages.list(search_opts={"resource_id": clone})
    for share in mc.shares.list(search_opts={"share_group_id": clone}):
        assert mc.shares.get(share.id).status in ("available", "error")
