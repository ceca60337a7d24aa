from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from abaca.common.types import RequestSpec
from abaca.scheduler.filters.availability_zone import AvailabilityZoneFilter
from abaca.scheduler.filters.capabilities import CapabilitiesFilter, required_capabilities
from abaca.scheduler.filters.capacity import CapacityFilter
from abaca.scheduler.host_state import PoolState

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]


@pytest.mark.parametrize(("pool_zone", "requested", "type_zones", "passes"), [
    ("nova", None, None, True),
    ("nova", "nova", None, True),
    ("nova", "other", None, False),
    ("zone-a", None, "zone-a, zone-b", True),
    ("zone-c", None, "zone-a,zone-b", False),
    ("zone-a", "zone-a", "zone-a,zone-b", True),
    ("zone-b", "zone-a", "zone-a,zone-b", False),
    ("zone-a", None, " , zone-a ,", True),
    ("nova", None, " , ", True),  # an empty list restricts nothing
    ("zone-a", None, "zone-a-2", False),  # whole names, not prefixes
])
def test_availability_zone_filter(make_pool: PoolFactory, make_spec: SpecFactory,
                                  pool_zone: str, requested: str | None,
                                  type_zones: str | None, passes: bool) -> None:
    specs = {"availability_zones": type_zones} if type_zones else {}
    spec = make_spec(availability_zone=requested, extra_specs=specs)
    assert AvailabilityZoneFilter().passes(make_pool(availability_zone=pool_zone), spec) is passes


def test_availability_zone_filter_pool_without_zone(make_pool: PoolFactory,
                                                    make_spec: SpecFactory) -> None:
    pool = make_pool()
    del pool.capabilities["availability_zone"]
    assert AvailabilityZoneFilter().passes(pool, make_spec()) is True
    assert AvailabilityZoneFilter().passes(pool, make_spec(availability_zone="nova")) is False


@pytest.mark.parametrize(("pool_zone", "requested", "network_zones", "passes"), [
    ("zone-a", None, ["zone-a", "zone-b"], True),
    ("zone-c", None, ["zone-a", "zone-b"], False),
    ("zone-a", "zone-a", ["zone-a"], True),
    ("zone-c", None, None, True),  # a default subnet: any zone
])
def test_availability_zone_filter_share_network_zones(
        make_pool: PoolFactory, make_spec: SpecFactory, pool_zone: str, requested: str | None,
        network_zones: list[str] | None, passes: bool) -> None:
    spec = dataclasses.replace(make_spec(availability_zone=requested),
                               network_zones=network_zones)
    assert AvailabilityZoneFilter().passes(make_pool(availability_zone=pool_zone), spec) is passes


THICK = {"total_capacity_gb": 100, "thin_provisioning": False}
THIN = {"total_capacity_gb": 100, "thin_provisioning": True, "max_over_subscription_ratio": 2.0}

CAPACITY_CASES: list[tuple[str, dict[str, Any], int, dict[str, str], bool]] = [
    ("fits", {**THICK, "free_capacity_gb": 50}, 50, {}, True),
    ("too big", {**THICK, "free_capacity_gb": 50}, 51, {}, False),
    ("reserve kept back", {**THICK, "free_capacity_gb": 50, "reserved_percentage": 10},
     41, {}, False),
    ("fits beside reserve", {**THICK, "free_capacity_gb": 50, "reserved_percentage": 10},
     40, {}, True),
    ("unknown free", {**THICK, "free_capacity_gb": "unknown"}, 10_000, {}, True),
    ("infinite free", {**THICK, "free_capacity_gb": "infinite"}, 10_000, {}, True),
    ("unknown total, no reserve",
     {"total_capacity_gb": "unknown", "free_capacity_gb": 20}, 20, {}, True),
    ("unknown total, too big",
     {"total_capacity_gb": "unknown", "free_capacity_gb": 20}, 21, {}, False),
    ("unknown total, reserve cannot be computed",
     {"total_capacity_gb": "unknown", "free_capacity_gb": 20, "reserved_percentage": 5},
     1, {}, False),
    ("infinite total", {"total_capacity_gb": "infinite", "free_capacity_gb": 20}, 20, {},
     True),
    ("zero total", {"total_capacity_gb": 0, "free_capacity_gb": 0}, 1, {}, False),
    # thin: provisioned + size may reach total * ratio (200), not exceed it
    ("thin within ratio", {**THIN, "free_capacity_gb": 80, "provisioned_capacity_gb": 150},
     50, {}, True),
    ("thin over ratio", {**THIN, "free_capacity_gb": 80, "provisioned_capacity_gb": 150},
     51, {}, False),
    # thin: free space after the reserve, times the ratio, must hold the share (Manila)
    ("thin may promise more than is free",
     {**THIN, "free_capacity_gb": 10, "provisioned_capacity_gb": 20}, 20, {}, True),
    ("thin, free times ratio too small",
     {**THIN, "free_capacity_gb": 10, "provisioned_capacity_gb": 20}, 21, {}, False),
    ("thin, reserve applies too",
     {**THIN, "free_capacity_gb": 15, "provisioned_capacity_gb": 20,
      "reserved_percentage": 10}, 11, {}, False),
    ("thin, fits beside reserve",
     {**THIN, "free_capacity_gb": 15, "provisioned_capacity_gb": 20,
      "reserved_percentage": 10}, 10, {}, True),
    ("thin, ratio 1 still caps", {**THIN, "max_over_subscription_ratio": 1.0,
                                  "free_capacity_gb": 80, "provisioned_capacity_gb": 90},
     11, {}, False),
    ("thin, ratio below 1 checks thick",
     {**THIN, "max_over_subscription_ratio": 0.5, "free_capacity_gb": 80,
      "provisioned_capacity_gb": 190}, 80, {}, True),
    ("thin, type says <is> True",
     {**THIN, "free_capacity_gb": 80, "provisioned_capacity_gb": 190}, 11,
     {"capabilities:thin_provisioning": "<is> True"}, False),
    ("free space rounded down", {**THICK, "free_capacity_gb": 20.9}, 21, {}, False),
    # a thick type on a pool that could do thin: only the real space counts
    ("type forces thick", {**THIN, "free_capacity_gb": 80, "provisioned_capacity_gb": 190},
     50, {"thin_provisioning": "False"}, True),
    ("same pool thin: over-subscribed",
     {**THIN, "free_capacity_gb": 80, "provisioned_capacity_gb": 190}, 50, {}, False),
]


@pytest.mark.parametrize(("caps", "size", "extra_specs", "passes"),
                         [c[1:] for c in CAPACITY_CASES], ids=[c[0] for c in CAPACITY_CASES])
def test_capacity_filter(make_pool: PoolFactory, make_spec: SpecFactory,
                         caps: dict[str, Any], size: int, extra_specs: dict[str, str],
                         passes: bool) -> None:
    pool = make_pool(**caps)
    assert CapacityFilter().passes(pool, make_spec(size=size, extra_specs=extra_specs)) is passes


RESERVES = {"total_capacity_gb": 100, "free_capacity_gb": 50, "reserved_percentage": 10,
            "reserved_snapshot_percentage": 20, "reserved_share_extend_percentage": 30}
# (operation, snapshot_id, largest size that fits): 50 free minus 10, 20 or 30 GiB
RESERVE_CASES: list[tuple[str, str | None, int]] = [
    ("create", None, 40),
    ("create_from_snapshot", "snap", 30),
    ("create", "snap", 30),  # a create naming a snapshot is a create from snapshot
    ("extend", None, 20),
]


@pytest.mark.parametrize(("operation", "snapshot_id", "largest"), RESERVE_CASES)
@pytest.mark.parametrize("thin", [False, True])
def test_capacity_filter_reserve_by_operation(
        make_pool: PoolFactory, make_spec: SpecFactory, operation: str,
        snapshot_id: str | None, largest: int, thin: bool) -> None:
    caps = {**RESERVES, "thin_provisioning": thin, "max_over_subscription_ratio": 1.0}
    pool = make_pool(**caps)
    fits = make_spec(size=largest, operation=operation, snapshot_id=snapshot_id)
    too_big = make_spec(size=largest + 1, operation=operation, snapshot_id=snapshot_id)
    assert CapacityFilter().passes(pool, fits) is True
    assert CapacityFilter().passes(pool, too_big) is False


@pytest.mark.parametrize(("key", "operation"), [
    ("reserved_snapshot_percentage", "create_from_snapshot"),
    ("reserved_share_extend_percentage", "extend"),
])
def test_reserves_default_to_zero_and_unknown_total(
        make_pool: PoolFactory, make_spec: SpecFactory, key: str, operation: str) -> None:
    pool = make_pool(total_capacity_gb="unknown", free_capacity_gb=20)
    assert pool.reserved_percentage_for(operation) == 0
    assert CapacityFilter().passes(pool, make_spec(size=20, operation=operation)) is True
    reserving = make_pool(total_capacity_gb="unknown", free_capacity_gb=20, **{key: 5})
    assert CapacityFilter().passes(reserving, make_spec(size=1, operation=operation)) is False
    # the other operations' reserves are not this one's
    assert CapacityFilter().passes(reserving, make_spec(size=1)) is True


def test_capacity_filter_sees_consumed_space(make_pool: PoolFactory,
                                             make_spec: SpecFactory) -> None:
    pool = make_pool(free_capacity_gb=50)
    assert CapacityFilter().passes(pool, make_spec(size=30)) is True
    pool.consume(30)
    assert CapacityFilter().passes(pool, make_spec(size=30)) is False


@pytest.mark.parametrize(("extra_specs", "required"), [
    ({"snapshot_support": "True"}, {"snapshot_support": "True"}),
    ({"capabilities:dedupe": "<is> True"}, {"dedupe": "<is> True"}),
    ({"provisioning:max_share_size": "10", "vendor:foo": "bar",
      "availability_zones": "nova"}, {}),
    ({"capabilities:": "x"}, {}),
])
def test_required_capabilities(extra_specs: dict[str, str], required: dict[str, str]) -> None:
    assert required_capabilities(extra_specs) == required


CAPABILITY_CASES: list[tuple[str, dict[str, str], bool]] = [
    ("no type", {}, True),
    ("dhss matches", {"driver_handles_share_servers": "False"}, True),
    ("dhss differs", {"driver_handles_share_servers": "True"}, False),
    ("several, all match",
     {"driver_handles_share_servers": "false", "snapshot_support": "<is> True",
      "share_backend_name": "DUMMY"}, True),
    ("several, one fails",
     {"driver_handles_share_servers": "false", "snapshot_support": "<is> False"}, False),
    ("scoped capability", {"capabilities:storage_protocol": "<in> cifs"}, True),
    ("scoped capability fails", {"capabilities:storage_protocol": "<in> gluster"}, False),
    ("pool lacks capability", {"compression": "<is> True"}, False),
    ("pool lacks scoped capability", {"capabilities:compression": "True"}, False),
    ("other scopes ignored", {"provisioning:max_share_size": "1", "vendor:x": "y"}, True),
    ("availability_zones ignored", {"availability_zones": "elsewhere"}, True),
    ("list capability", {"thin_provisioning": "<is> True"}, True),
    ("numeric operator", {"max_shares": ">= 100"}, True),
    ("numeric operator fails", {"max_shares": ">= 1000"}, False),
]


@pytest.mark.parametrize(("extra_specs", "passes"), [c[1:] for c in CAPABILITY_CASES],
                         ids=[c[0] for c in CAPABILITY_CASES])
def test_capabilities_filter(make_pool: PoolFactory, make_spec: SpecFactory,
                             extra_specs: dict[str, str], passes: bool) -> None:
    pool = make_pool(thin_provisioning=[True, False], max_shares=500)
    spec = make_spec(extra_specs=extra_specs)
    assert CapabilitiesFilter().passes(pool, spec) is passes


def test_capabilities_filter_without_share_type(make_pool: PoolFactory,
                                                make_spec: SpecFactory) -> None:
    assert CapabilitiesFilter().passes(make_pool(), make_spec(extra_specs=None)) is True
