"""Share replicas, pure pieces: the dummy driver's replication (with failure
injection), the local driver's replica snapshot names and peer lookup, and the quota
deltas of replicated shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from abaca.share.driver_api import (
    AccessRule,
    BackendConfig,
    DriverError,
    ReplicationSupport,
    ShareRequest,
)
from abaca.share.drivers.dummy import DummyDriver
from abaca.share.drivers.local import replication
from abaca.share.drivers.local.btrfs import BtrfsPool

RULE = AccessRule(id="r1", access_type="ip", access_to="198.18.0.1", access_level="ro")


def _dummy(**options: Any) -> DummyDriver:
    opts = {"dummy_pools": ["p:10"], "dummy_export_address": "198.18.0.10",
            "dummy_default_delay": 0.0, "dummy_method_delays": {},
            "dummy_fail_methods": [], "dummy_thin_provisioning": False,
            "dummy_max_over_subscription_ratio": 20.0, "dummy_capabilities": {},
            "dummy_replication_domain": None, "dummy_replication_type": "readable",
            **options}
    return DummyDriver(BackendConfig(name="b", share_backend_name="b",
                                     availability_zone="z",
                                     driver_handles_share_servers=False, state_path="/x",
                                     options=SimpleNamespace(**opts)))


def _share(instance_id: str, host: str = "") -> ShareRequest:
    return ShareRequest(instance_id=instance_id, share_id="s", name=f"share-{instance_id}",
                        size=1, share_proto="NFS", pool="p", project_id="proj", host=host)


def test_dummy_replicates_only_in_a_domain() -> None:
    assert "replication_domain" not in _dummy().get_stats().pool_capabilities()[0]
    caps = _dummy(dummy_replication_domain="d1", dummy_replication_type="dr") \
        .get_stats().pool_capabilities()[0]
    assert (caps["replication_domain"], caps["replication_type"]) == ("d1", "dr")


def test_dummy_replica_lifecycle() -> None:
    driver = _dummy(dummy_replication_domain="d1")
    assert isinstance(driver, ReplicationSupport)
    active, replica = _share("a"), _share("r")
    driver.create_share(active)
    created = driver.create_replica(active, replica, [RULE])
    assert created.replica_state == "out_of_sync" and created.export_locations
    assert driver.access["r"] == [RULE]
    assert driver.update_replica_state(active, replica) == "in_sync"
    promoted = driver.promote_replica(active, replica, [])
    assert promoted.replica_state == "active" and driver.access["r"] == []
    driver.delete_replica(active, replica)
    assert driver.update_replica_state(active, replica) == "error"  # it is gone
    with pytest.raises(DriverError):
        driver.promote_replica(active, replica, [])


@pytest.mark.parametrize("method", ["create_replica", "update_replica_state",
                                    "promote_replica", "delete_replica"])
def test_dummy_fails_replication_methods_on_request(method: str) -> None:
    driver = _dummy(dummy_replication_domain="d1", dummy_fail_methods=[method])
    active, replica = _share("a"), _share("r")
    calls: dict[str, Callable[[], object]] = {
        "create_replica": lambda: driver.create_replica(active, replica, []),
        "update_replica_state": lambda: driver.update_replica_state(active, replica),
        "promote_replica": lambda: driver.promote_replica(active, replica, []),
        "delete_replica": lambda: driver.delete_replica(active, replica)}
    with pytest.raises(DriverError, match=method):
        calls[method]()


def test_replica_snapshots_are_found_in_order(tmp_path: Path) -> None:
    pool = BtrfsPool(tmp_path)
    for name in ("replica-x-1", "replica-x-10", "replica-x-2", "replica-y-3",
                 "replica-x-a", "snapshot-1"):
        (pool.snapshots_dir / name).mkdir(parents=True)
    assert replication.received(pool, "x") == ["replica-x-1", "replica-x-2",
                                               "replica-x-10"]
    assert replication.received(pool, "z") == []


def test_a_peer_is_found_by_its_backend_name() -> None:
    driver = SimpleNamespace(pool=None)
    replication.register("west", driver)  # type: ignore[arg-type]
    try:
        assert replication.peer(_share("r", "host1@west#local")) is driver
        with pytest.raises(DriverError, match="not a local backend"):
            replication.peer(_share("r", "host1@east#local"))
        with pytest.raises(DriverError, match="btrfs"):
            replication.btrfs_pool(driver)  # type: ignore[arg-type]
    finally:
        replication.unregister("west", driver)  # type: ignore[arg-type]
    with pytest.raises(DriverError):
        replication.peer(_share("r", "host1@west#local"))


def test_replica_quota_deltas() -> None:
    from abaca.services.share_replicas import quota_deltas

    assert quota_deltas(None, 5) == {}
    assert quota_deltas("readable", 5) == {"share_replicas": 1, "replica_gigabytes": 5}
    assert quota_deltas("dr", 5, -1) == {"share_replicas": -1, "replica_gigabytes": -5}
