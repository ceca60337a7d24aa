"""Factories for scheduler tests: pools as share services report them, and requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from oslo_config import cfg

from abaca import conf as confmod
from abaca.common.types import RequestSpec, ShareTypeSpec
from abaca.scheduler.host_state import PoolState

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]


def pool_report(pool_name: str = "p", **caps: Any) -> dict[str, Any]:
    """One pool dict as a share service sends it: 100 GiB thick, half free."""
    report: dict[str, Any] = {
        "pool_name": pool_name, "total_capacity_gb": 100, "free_capacity_gb": 50,
        "allocated_capacity_gb": 50, "reserved_percentage": 0, "thin_provisioning": False,
        "max_over_subscription_ratio": 1.0, "availability_zone": "nova",
        "driver_handles_share_servers": False, "snapshot_support": True,
        "storage_protocol": "NFS_CIFS", "share_backend_name": "dummy",
    }
    report.update(caps)
    return report


@pytest.fixture
def make_report() -> Callable[..., dict[str, Any]]:
    return pool_report


@pytest.fixture
def make_pool() -> PoolFactory:
    def make(name: str = "h@b#p", updated_at: float = 0.0, **caps: Any) -> PoolState:
        service_host, _, pool_name = name.partition("#")
        return PoolState.from_report(service_host, pool_report(pool_name, **caps), updated_at)

    return make


@pytest.fixture
def make_spec() -> SpecFactory:
    def make(size: int = 1, extra_specs: dict[str, str] | None = None,
             availability_zone: str | None = None, share_id: str = "share-1",
             hints: dict[str, str] | None = None, snapshot_id: str | None = None,
             snapshot_host: str | None = None, operation: str = "create",
             is_admin: bool = False) -> RequestSpec:
        share_type = (ShareTypeSpec(id="t1", name="type1", extra_specs=extra_specs)
                      if extra_specs is not None else None)
        return RequestSpec(share_id=share_id, instance_id=f"{share_id}-inst",
                           project_id="proj", size=size, share_proto="NFS",
                           share_type=share_type, availability_zone=availability_zone,
                           snapshot_id=snapshot_id, scheduler_hints=dict(hints or {}),
                           snapshot_host=snapshot_host, operation=operation,
                           is_admin=is_admin)

    return make


@pytest.fixture
def conf() -> cfg.ConfigOpts:
    c = confmod.new_conf()
    c([], project="abaca")
    return c
