"""Share replicas over the three services as separate processes (RabbitMQ, and
PostgreSQL then MariaDB): create, periodic update, promote, access on every replica,
quota, delete."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.servers import dummy_backend, wait_for_status, wait_until
from tests.integration.conftest import HOST, Deployment

pytestmark = pytest.mark.integration
BACKENDS = {
    "east": dummy_backend("e1:100", backend_availability_zone="zone-a",
                          dummy_replication_domain="dom1"),
    "west": dummy_backend("w1:100", backend_availability_zone="zone-b",
                          dummy_replication_domain="dom1",
                          dummy_method_delays="update_replica_state:1"),
}


def _replica(mc: Any, replica_id: str, state: str) -> Any:
    def done() -> Any:
        rep = mc.share_replicas.get(replica_id)
        assert rep.status != "error", rep
        return rep if rep.status == "available" and rep.replica_state == state else None

    return wait_until(done, timeout=90, what=f"replica {replica_id} {state}")


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_replicas_across_processes(deploy: Callable[..., Deployment]) -> None:
    dep = deploy(BACKENDS, groups={"DEFAULT": {"replica_state_update_interval": 2}})
    mc = dep.client("2.56")
    mc.share_types.create("replicated", spec_driver_handles_share_servers=False,
                          extra_specs={"replication_type": "readable"})
    share = wait_for_status(mc, mc.shares.create(
        "NFS", 2, share_type="replicated", availability_zone="zone-a").id, timeout=90)
    assert share.status == "available", dep.logs()
    (active,) = mc.share_replicas.list(share)
    rep = mc.share_replicas.create(share, availability_zone="zone-b")
    assert _replica(mc, rep.id, "out_of_sync").host.startswith(f"{HOST}@west#")
    _replica(mc, rep.id, "in_sync")

    rule = mc.shares.allow(share, "ip", "198.18.3.0/24", "rw")
    wait_until(lambda: mc.shares.get(share.id).access_rules_status == "active",
               timeout=60, what="rule on every replica")
    quota = mc.quotas.get(share.project_id, detail=True)
    assert (quota.share_replicas["in_use"], quota.replica_gigabytes["in_use"]) == (2, 4)

    mc.share_replicas.promote(rep.id)
    _replica(mc, rep.id, "active")
    _replica(mc, active.id, "in_sync")
    assert mc.shares.get(share.id).host.startswith(f"{HOST}@west#")
    mc.shares.deny(share, rule["id"])
    wait_until(lambda: not mc.share_access_rules.access_list(share), timeout=60,
               what="rule denied")

    mc.share_replicas.delete(active.id)
    wait_until(lambda: [r.id for r in mc.share_replicas.list(share)] == [rep.id],
               timeout=60, what="replica deleted")
    mc.shares.delete(share)
    wait_until(lambda: not mc.shares.list(), timeout=60, what="share deleted")
    quota = mc.quotas.get(share.project_id, detail=True)
    assert (quota.share_replicas["in_use"], quota.replica_gigabytes["in_use"]) == (0, 0)
    assert "Traceback" not in "".join(p.log.read_text() for p in dep.procs), dep.logs()


RECONCILER = {"interval": 2, "stale_after": 6, "request_timeout": 25, "orphan_grace": 5}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_promotion_cut_short_by_sigkill_is_finished_after_the_restart(
        deploy: Callable[..., Deployment]) -> None:
    """A replica left ``replication_change`` by a dead share service is promoted by the
    reconciler when the service is back: no admin reset-state needed."""
    slow_west = {**BACKENDS["west"], "dummy_method_delays": "promote_replica:8"}
    dep = deploy({"east": BACKENDS["east"], "west": slow_west},
                 groups={"DEFAULT": {"replica_state_update_interval": 2},
                         "reconciler": RECONCILER})
    mc = dep.client("2.56")
    mc.share_types.create("replicated", spec_driver_handles_share_servers=False,
                          extra_specs={"replication_type": "readable"})
    share = wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type="replicated", availability_zone="zone-a").id, timeout=90)
    (active,) = mc.share_replicas.list(share)
    rep = mc.share_replicas.create(share, availability_zone="zone-b")
    _replica(mc, rep.id, "in_sync")

    mc.share_replicas.promote(rep.id)
    time.sleep(2)  # the share service is in the driver's promote
    dep.share.kill()
    assert mc.share_replicas.get(rep.id).status == "replication_change"

    dep.share.start()
    _replica(mc, rep.id, "active")
    _replica(mc, active.id, "in_sync")
    assert mc.shares.get(share.id).host.startswith(f"{HOST}@west#")
    history = dep.manage("reconcile", "history", "--resource", share.id)
    assert "replication_change" in history and "redo" in history, history
    assert not mc.messages.list(search_opts={"resource_id": rep.id})
