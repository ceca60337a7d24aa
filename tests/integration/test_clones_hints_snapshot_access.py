"""Clones and scheduler hints through the scheduler, and mountable snapshot access,
with abaca-api, abaca-scheduler and abaca-share as processes over RabbitMQ and
PostgreSQL (or MariaDB): the request spec's hints and snapshot host, and the share
RPC 1.2 cast, cross real process boundaries."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.fixtures.servers import dummy_backend, wait_for_status, wait_until
from tests.integration.conftest import HOST, Deployment

pytestmark = pytest.mark.integration


def test_clones_hints_and_snapshot_access(deploy: Callable[..., Deployment]) -> None:
    dep = deploy({
        "near": dummy_backend("a:100,b:100"),
        "far": dummy_backend("p:5000"),  # the CapacityWeigher's favourite
    })
    mc = dep.client("2.65")
    mc.share_types.create("snap", spec_driver_handles_share_servers=False,
                          extra_specs={"snapshot_support": "True",
                                       "create_share_from_snapshot_support": "True",
                                       "mount_snapshot_support": "True",
                                       "share_backend_name": "near"})
    parent = wait_for_status(mc, mc.shares.create("NFS", 1, share_type="snap").id,
                             timeout=60)
    assert parent.status == "available", dep.logs()
    assert parent.host.startswith(f"{HOST}@near#")

    # a plain share goes to "far"; with same_host it joins the parent's pool
    plain = wait_for_status(mc, mc.shares.create("NFS", 1).id, timeout=60)
    assert plain.host == f"{HOST}@far#p", dep.logs()
    joined = wait_for_status(mc, mc.shares.create(
        "NFS", 1, scheduler_hints={"same_host": parent.id}).id, timeout=60)
    assert joined.host == parent.host, dep.logs()
    assert joined.metadata == {"__affinity_same_host": parent.id}
    apart = wait_for_status(mc, mc.shares.create(
        "NFS", 1, scheduler_hints={"different_host": plain.id}).id, timeout=60)
    assert apart.host != plain.host and apart.status == "available", dep.logs()

    snap = mc.share_snapshots.create(parent)
    wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available", timeout=60,
               what="the snapshot")
    clone = wait_for_status(mc, mc.shares.create("NFS", 1, snapshot_id=snap.id).id,
                            timeout=60)
    assert clone.status == "available" and clone.host.startswith(f"{HOST}@near#"), \
        dep.logs()

    (el,) = mc.share_snapshot_export_locations.list(snap)
    assert el.path.endswith(f"share-snapshot-{snap.id}")
    mc.share_snapshots.allow(snap, "ip", "198.18.0.5")
    wait_until(lambda: [r.state for r in mc.share_snapshots.access_list(snap)] == ["active"],
               timeout=60, what="the snapshot rule")
