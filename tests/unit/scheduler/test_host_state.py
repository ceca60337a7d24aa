from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from abaca.common.types import RequestSpec
from abaca.scheduler.host_state import PoolState, parse_capacity

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]
ReportFactory = Callable[..., dict[str, Any]]


@pytest.mark.parametrize(("value", "expected"), [
    (10, 10.0), (2.5, 2.5), ("7", 7.0), ("unknown", None), ("Unknown", None), (None, None),
    ("infinite", math.inf), ("INFINITE", math.inf), (0, 0.0),
])
def test_parse_capacity(value: Any, expected: float | None) -> None:
    assert parse_capacity(value) == expected


@pytest.mark.parametrize("value", ["lots", -1, True, float("nan")])
def test_parse_capacity_rejects_garbage(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_capacity(value)


def test_from_report_reads_fields(make_report: ReportFactory) -> None:
    pool = PoolState.from_report("h@b", make_report(
        "gold", total_capacity_gb="infinite", free_capacity_gb="unknown",
        allocated_capacity_gb=3, provisioned_capacity_gb=40, reserved_percentage=5,
        thin_provisioning=True, max_over_subscription_ratio=20.0), updated_at=12.5)
    assert pool.name == "h@b#gold"
    assert (pool.service_host, pool.pool_name) == ("h@b", "gold")
    assert pool.total_capacity_gb == math.inf
    assert pool.free_capacity_gb is None
    assert (pool.allocated_capacity_gb, pool.provisioned_capacity_gb) == (3.0, 40.0)
    assert (pool.reserved_percentage, pool.max_over_subscription_ratio) == (5.0, 20.0)
    assert pool.thin_provisioning is True
    assert pool.updated_at == 12.5
    assert pool.capabilities["availability_zone"] == "nova"


def test_provisioned_defaults_to_allocated(make_report: ReportFactory) -> None:
    report = make_report(allocated_capacity_gb=30)
    report.pop("provisioned_capacity_gb", None)
    assert PoolState.from_report("h@b", report, 0).provisioned_capacity_gb == 30.0


@pytest.mark.parametrize(("reported", "thin"), [
    (True, True), (False, False), ([True, False], True), ([False], False), ("true", True),
])
def test_thin_provisioning_reported(make_report: ReportFactory, reported: Any,
                                    thin: bool) -> None:
    pool = PoolState.from_report("h@b", make_report(thin_provisioning=reported), 0)
    assert pool.thin_provisioning is thin


@pytest.mark.parametrize("caps", [
    {"pool_name": ""}, {"pool_name": "a#b"}, {"pool_name": None},
    {"total_capacity_gb": "lots"}, {"reserved_percentage": 150},
])
def test_from_report_rejects_malformed(make_report: ReportFactory,
                                      caps: dict[str, Any]) -> None:
    report = make_report(**{k: v for k, v in caps.items() if k != "pool_name"})
    if "pool_name" in caps:
        report["pool_name"] = caps["pool_name"]
    with pytest.raises(ValueError):
        PoolState.from_report("h@b", report, 0)


@pytest.mark.parametrize(("pool_caps", "extra_specs", "thin"), [
    ({"thin_provisioning": True, "max_over_subscription_ratio": 2.0}, {}, True),
    ({"thin_provisioning": True, "max_over_subscription_ratio": 2.0},
     {"thin_provisioning": "False"}, False),
    ({"thin_provisioning": [True, False], "max_over_subscription_ratio": 2.0},
     {"capabilities:thin_provisioning": "<is> False"}, False),
    ({"thin_provisioning": True, "max_over_subscription_ratio": 2.0},
     {"thin_provisioning": "<is> True"}, True),
    # a ratio below 1 would make thin stricter than thick: thick applies
    ({"thin_provisioning": True, "max_over_subscription_ratio": 0.5}, {}, False),
    ({"thin_provisioning": False}, {"thin_provisioning": "True"}, False),
])
def test_uses_thin_provisioning(make_pool: PoolFactory, make_spec: SpecFactory,
                                pool_caps: dict[str, Any], extra_specs: dict[str, str],
                                thin: bool) -> None:
    pool = make_pool(**pool_caps)
    assert pool.uses_thin_provisioning(make_spec(extra_specs=extra_specs)) is thin


def test_consume_counts_the_share(make_pool: PoolFactory) -> None:
    pool = make_pool(free_capacity_gb=50, allocated_capacity_gb=50,
                     provisioned_capacity_gb=60)
    pool.consume(20)
    assert pool.free_capacity_gb == 30
    assert pool.allocated_capacity_gb == 70
    assert pool.provisioned_capacity_gb == 80
    pool.consume(40)
    assert pool.free_capacity_gb == 0  # never negative


@pytest.mark.parametrize(("free", "after"), [("unknown", None), ("infinite", math.inf)])
def test_consume_keeps_unbounded_free(make_pool: PoolFactory, free: str,
                                      after: float | None) -> None:
    pool = make_pool(free_capacity_gb=free, allocated_capacity_gb=0)
    pool.consume(10)
    assert pool.free_capacity_gb == after
    assert pool.allocated_capacity_gb == 10


def test_reserves_per_operation(make_report: ReportFactory) -> None:
    pool = PoolState.from_report("h@b", make_report(
        total_capacity_gb=200, reserved_percentage=5, reserved_snapshot_percentage=10,
        reserved_share_extend_percentage=25), 0)
    assert [pool.reserved_gb(op) for op in ("create", "create_from_snapshot", "extend")] == [
        10.0, 20.0, 50.0]
    assert pool.reserved_gb() == 10.0
    assert pool.reserved_percentage_for("unheard-of") == 5.0
    plain = PoolState.from_report("h@b", make_report(), 0)
    assert (plain.reserved_snapshot_percentage, plain.reserved_share_extend_percentage) == (
        0.0, 0.0)


@pytest.mark.parametrize("key", ["reserved_percentage", "reserved_snapshot_percentage",
                                 "reserved_share_extend_percentage"])
@pytest.mark.parametrize("value", [-1, 101, "lots", float("nan")])
def test_bad_reserve_rejects_the_pool(make_report: ReportFactory, key: str, value: Any) -> None:
    with pytest.raises(ValueError):
        PoolState.from_report("h@b", make_report(**{key: value}), 0)


@pytest.mark.parametrize(("caps", "domain", "zone"), [
    ({}, None, "nova"),
    ({"replication_domain": "d1", "availability_zone": "z"}, "d1", "z"),
    ({"replication_domain": "", "availability_zone": None}, None, None),
])
def test_domain_and_zone(make_report: ReportFactory, caps: dict[str, Any],
                         domain: str | None, zone: str | None) -> None:
    pool = PoolState.from_report("h@b", make_report(**caps), 0)
    assert (pool.replication_domain, pool.availability_zone) == (domain, zone)
