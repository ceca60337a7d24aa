from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from oslo_config import cfg

from abaca.common.types import RequestSpec
from abaca.scheduler.host_state import PoolState
from abaca.scheduler.weighers.base import BaseWeigher, normalise, weigh_pools
from abaca.scheduler.weighers.capacity import CapacityWeigher
from abaca.scheduler.weighers.goodness import GoodnessWeigher
from abaca.scheduler.weighers.host_affinity import HostAffinityWeigher
from abaca.scheduler.weighers.pool import PoolWeigher

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]


class FixedWeigher(BaseWeigher):
    """Raw weights by pool name, so a test states exactly what the weigher thinks."""

    def __init__(self, weights: dict[str, float | None], multiplier: float = 1.0) -> None:
        self.weights = weights
        self._multiplier = multiplier

    def weigh(self, pool: PoolState, spec: RequestSpec) -> float | None:
        return self.weights[pool.name]

    def multiplier(self, conf: Any) -> float:
        return self._multiplier


@pytest.mark.parametrize(("raw", "expected"), [
    ([10, 20, 30], [0.0, 0.5, 1.0]),
    ([30, 10], [1.0, 0.0]),
    ([5, 5, 5], [0.0, 0.0, 0.0]),
    ([7], [0.0]),
    ([], []),
    ([-10, 0, 10], [0.0, 0.5, 1.0]),
    # infinity is one step past the largest finite weight
    ([0, 1, math.inf], [0.0, 0.5, 1.0]),
    ([-math.inf, 0, 1], [0.0, 0.5, 1.0]),
    ([math.inf, math.inf], [0.0, 0.0]),
])
def test_normalise(raw: list[float], expected: list[float]) -> None:
    assert normalise(raw) == pytest.approx(expected)


def pools_named(make_pool: PoolFactory, *names: str) -> list[PoolState]:
    return [make_pool(name) for name in names]


def test_weights_are_normalised_per_weigher_then_summed(
        make_pool: PoolFactory, make_spec: SpecFactory) -> None:
    pools = pools_named(make_pool, "h@b#a", "h@b#b", "h@b#c")
    # GiB-sized and tiny raw weights count alike once normalised
    big = FixedWeigher({"h@b#a": 1000, "h@b#b": 3000, "h@b#c": 2000})
    small = FixedWeigher({"h@b#a": 0.3, "h@b#b": 0.1, "h@b#c": 0.2}, multiplier=2.0)
    ranked = weigh_pools([big, small], pools, make_spec(), conf=None)
    assert [wp.pool.name for wp in ranked] == ["h@b#a", "h@b#c", "h@b#b"]
    assert [wp.weight for wp in ranked] == pytest.approx([0.0 + 2.0, 0.5 + 1.0, 1.0 + 0.0])


def test_negative_multiplier_reverses_order(make_pool: PoolFactory,
                                            make_spec: SpecFactory) -> None:
    pools = pools_named(make_pool, "h@b#a", "h@b#b", "h@b#c")
    weights: dict[str, float | None] = {"h@b#a": 10, "h@b#b": 30, "h@b#c": 20}
    spread = weigh_pools([FixedWeigher(weights)], pools, make_spec(), None)
    stack = weigh_pools([FixedWeigher(weights, -1.0)], pools, make_spec(), None)
    assert [wp.pool.name for wp in spread] == ["h@b#b", "h@b#c", "h@b#a"]
    assert [wp.pool.name for wp in stack] == ["h@b#a", "h@b#c", "h@b#b"]
    assert [wp.weight for wp in stack] == pytest.approx([0.0, -0.5, -1.0])


@pytest.mark.parametrize("multiplier", [1.0, -1.0, 3.0, -0.5])
def test_unrankable_pool_comes_last_whatever_the_sign(
        make_pool: PoolFactory, make_spec: SpecFactory, multiplier: float) -> None:
    pools = pools_named(make_pool, "h@b#a", "h@b#b", "h@b#unknown")
    weigher = FixedWeigher({"h@b#a": 10, "h@b#b": 30, "h@b#unknown": None}, multiplier)
    ranked = weigh_pools([weigher], pools, make_spec(), None)
    assert ranked[-1].pool.name == "h@b#unknown"
    assert ranked[-1].weight < ranked[-2].weight


def test_equal_weights_tie_break_by_name(make_pool: PoolFactory,
                                        make_spec: SpecFactory) -> None:
    pools = pools_named(make_pool, "h@b#z", "h@b#a", "h@b#m")
    ranked = weigh_pools([FixedWeigher(dict.fromkeys(("h@b#z", "h@b#a", "h@b#m"), 5.0))],
                         pools, make_spec(), None)
    assert [wp.pool.name for wp in ranked] == ["h@b#a", "h@b#m", "h@b#z"]
    assert {wp.weight for wp in ranked} == {0.0}


CAPACITY_WEIGHTS: list[tuple[str, dict[str, Any], dict[str, str], float | None]] = [
    ("thick: free", {"total_capacity_gb": 100, "free_capacity_gb": 40}, {}, 40.0),
    ("thick: free minus reserve",
     {"total_capacity_gb": 100, "free_capacity_gb": 40, "reserved_percentage": 10}, {}, 30.0),
    ("thin: total*ratio - provisioned - reserve",
     {"total_capacity_gb": 100, "free_capacity_gb": 40, "reserved_percentage": 10,
      "thin_provisioning": True, "max_over_subscription_ratio": 3.0,
      "provisioned_capacity_gb": 120}, {}, 300.0 - 120 - 10),
    ("thin pool, thick type",
     {"total_capacity_gb": 100, "free_capacity_gb": 40, "thin_provisioning": True,
      "max_over_subscription_ratio": 3.0, "provisioned_capacity_gb": 120},
     {"thin_provisioning": "false"}, 40.0),
    ("unknown free", {"total_capacity_gb": 100, "free_capacity_gb": "unknown"}, {}, None),
    ("unknown total", {"total_capacity_gb": "unknown", "free_capacity_gb": 10}, {}, None),
    ("infinite", {"total_capacity_gb": "infinite", "free_capacity_gb": "infinite"}, {},
     math.inf),
]


@pytest.mark.parametrize(("caps", "extra_specs", "expected"),
                         [c[1:] for c in CAPACITY_WEIGHTS], ids=[c[0] for c in CAPACITY_WEIGHTS])
def test_capacity_weigher_raw(make_pool: PoolFactory, make_spec: SpecFactory,
                              caps: dict[str, Any], extra_specs: dict[str, str],
                              expected: float | None) -> None:
    weight = CapacityWeigher().weigh(make_pool(**caps), make_spec(extra_specs=extra_specs))
    assert weight == (pytest.approx(expected) if expected is not None else None)


def test_capacity_weigher_multiplier_from_conf(conf: cfg.ConfigOpts) -> None:
    assert CapacityWeigher().multiplier(conf) == 1.0
    conf.set_override("capacity_weight_multiplier", -2.5, group="scheduler")
    assert CapacityWeigher().multiplier(conf) == -2.5


@pytest.mark.parametrize(("multiplier", "order"), [
    (1.0, ["h@b#inf", "h@b#roomy", "h@b#full", "h@b#unknown"]),
    (-1.0, ["h@b#full", "h@b#roomy", "h@b#inf", "h@b#unknown"]),
])
def test_capacity_weigher_spreads_or_stacks(make_pool: PoolFactory, make_spec: SpecFactory,
                                            conf: cfg.ConfigOpts, multiplier: float,
                                            order: list[str]) -> None:
    conf.set_override("capacity_weight_multiplier", multiplier, group="scheduler")
    pools = [make_pool("h@b#full", free_capacity_gb=5),
             make_pool("h@b#roomy", free_capacity_gb=80),
             make_pool("h@b#unknown", free_capacity_gb="unknown"),
             make_pool("h@b#inf", total_capacity_gb="infinite", free_capacity_gb="infinite")]
    ranked = weigh_pools([CapacityWeigher()], pools, make_spec(), conf)
    assert [wp.pool.name for wp in ranked] == order


def test_capacity_weigher_uses_the_operations_reserve(make_pool: PoolFactory,
                                                     make_spec: SpecFactory) -> None:
    pool = make_pool(total_capacity_gb=100, free_capacity_gb=50, reserved_percentage=10,
                     reserved_snapshot_percentage=20, reserved_share_extend_percentage=30)
    weigher = CapacityWeigher()
    assert weigher.weigh(pool, make_spec()) == 40
    assert weigher.weigh(pool, make_spec(operation="create_from_snapshot")) == 30
    assert weigher.weigh(pool, make_spec(snapshot_id="snap")) == 30
    assert weigher.weigh(pool, make_spec(operation="extend")) == 20


GOODNESS_CASES: list[tuple[str, Any, float]] = [
    ("no function", None, 0.0),
    ("constant", "50", 50.0),
    ("bounds", "100", 100.0),
    ("zero", "0", 0.0),
    ("true is 100", "share.size < 10", 100.0),
    ("false is 0", "share.size > 10", 0.0),
    ("from capacity", "host.free_capacity_gb / host.total_capacity_gb * 100", 40.0),
    ("ternary", "share.size < 10 ? 80 : 20", 80.0),
    ("C-like ternary with &&", "share.size < 10 && capabilities.fast ? 90 : 10", 90.0),
    ("above 100", "101", 0.0),
    ("below 0", "-1", 0.0),
    ("string", "'good'", 0.0),
    ("error", "1 / 0", 0.0),
    ("hostile", "__import__('os').getcwd()", 0.0),
    ("unknown variable", "capabilities.nope", 0.0),
    ("huge exponent", "9 ^ 9 ^ 9", 0.0),
]


@pytest.mark.parametrize(("function", "expected"), [c[1:] for c in GOODNESS_CASES],
                         ids=[c[0] for c in GOODNESS_CASES])
def test_goodness_weigher(make_pool: PoolFactory, make_spec: SpecFactory, function: Any,
                          expected: float) -> None:
    caps: dict[str, Any] = {"free_capacity_gb": 40, "fast": True}
    if function is not None:
        caps["goodness_function"] = function
    weight = GoodnessWeigher().weigh(make_pool(**caps), make_spec(size=5))
    assert weight == pytest.approx(expected)
    assert isinstance(weight, float)


def test_goodness_ranks_pools(make_pool: PoolFactory, make_spec: SpecFactory,
                              conf: cfg.ConfigOpts) -> None:
    pools = [make_pool("h@b#low", goodness_function="10"),
             make_pool("h@b#none"),
             make_pool("h@b#high", goodness_function="share.size > 1 ? 90 : 0")]
    ranked = weigh_pools([GoodnessWeigher()], pools, make_spec(size=2), conf)
    assert [wp.pool.name for wp in ranked] == ["h@b#high", "h@b#low", "h@b#none"]
    assert [wp.weight for wp in ranked] == pytest.approx([1.0, 10 / 90, 0.0])


SNAP = {"operation": "create_from_snapshot", "snapshot_id": "s",
        "snapshot_host": "h@b#p", "hints": {"snapshot_availability_zone": "az1"}}
HOST_AFFINITY_CASES: list[tuple[str, dict[str, Any], str, str, float]] = [
    ("same pool", SNAP, "h@b#p", "az1", 100.0),
    ("same backend", SNAP, "h@b#q", "az1", 75.0),
    ("same zone", SNAP, "g@c#p", "az1", 50.0),
    ("elsewhere", SNAP, "g@c#p", "az2", 25.0),
    ("zone unknown", {**SNAP, "hints": {}}, "g@c#p", "az1", 25.0),
    ("plain create", {}, "h@b#p", "az1", 0.0),
    ("extend", {"operation": "extend", "snapshot_host": "h@b#p"}, "h@b#p", "az1", 0.0),
    ("snapshot host unknown", {**SNAP, "snapshot_host": None}, "h@b#p", "az1", 0.0),
    ("create naming a snapshot", {"snapshot_id": "s", "snapshot_host": "h@b#p"},
     "h@b#q", "az1", 75.0),
]


@pytest.mark.parametrize(("spec_args", "pool", "zone", "expected"),
                         [c[1:] for c in HOST_AFFINITY_CASES],
                         ids=[c[0] for c in HOST_AFFINITY_CASES])
def test_host_affinity_weigher(make_pool: PoolFactory, make_spec: SpecFactory,
                               spec_args: dict[str, Any], pool: str, zone: str,
                               expected: float) -> None:
    weight = HostAffinityWeigher().weigh(make_pool(pool, availability_zone=zone),
                                         make_spec(**spec_args))
    assert weight == expected


POOL_WEIGHER_CASES: list[tuple[str, bool, dict[str, Any], dict[str, str], float]] = [
    ("DHSS=False", False, {"share_server_count": 3}, {}, 0.0),
    ("nothing tells", True, {}, {}, 0.0),
    ("capability: servers", True, {"share_server_count": 2}, {}, 1.0),
    ("capability: none", True, {"share_server_count": 0}, {}, 0.0),
    ("capability: garbage", True, {"share_server_count": "many"}, {}, 0.0),
    ("hint lists the pool", True, {}, {"share_server_pools": "h@b#q, h@b#p"}, 1.0),
    ("hint lists the backend", True, {}, {"share_server_pools": "h@b"}, 1.0),
    ("hint lists others", True, {"share_server_count": 5},
     {"share_server_pools": "h@b#q"}, 0.0),
    ("hint empty: none here", True, {"share_server_count": 5}, {"share_server_pools": ""},
     0.0),
]


@pytest.mark.parametrize(("dhss", "caps", "hints", "expected"),
                         [c[1:] for c in POOL_WEIGHER_CASES],
                         ids=[c[0] for c in POOL_WEIGHER_CASES])
def test_pool_weigher(make_pool: PoolFactory, make_spec: SpecFactory, dhss: bool,
                      caps: dict[str, Any], hints: dict[str, str], expected: float) -> None:
    pool = make_pool("h@b#p", driver_handles_share_servers=dhss, **caps)
    assert PoolWeigher().weigh(pool, make_spec(hints=hints)) == expected


def test_pool_weigher_multiplier(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                 make_spec: SpecFactory) -> None:
    assert PoolWeigher().multiplier(conf) == 1.0
    conf.set_override("pool_weight_multiplier", -2.0, group="scheduler")
    pools = [make_pool("h@b#has", driver_handles_share_servers=True, share_server_count=1),
             make_pool("h@b#new", driver_handles_share_servers=True)]
    ranked = weigh_pools([PoolWeigher()], pools, make_spec(), conf)
    assert [(wp.pool.name, wp.weight) for wp in ranked] == [("h@b#new", 0.0),
                                                            ("h@b#has", -2.0)]


def test_weighers_sum_with_multipliers(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                       make_spec: SpecFactory) -> None:
    # capacity prefers a (more room); goodness prefers b strongly enough to win
    pools = [make_pool("h@b#a", free_capacity_gb=90, goodness_function="10"),
             make_pool("h@b#b", free_capacity_gb=60, goodness_function="100"),
             make_pool("h@b#c", free_capacity_gb=30, goodness_function="55")]
    ranked = weigh_pools([CapacityWeigher(), GoodnessWeigher(), HostAffinityWeigher()],
                         pools, make_spec(), conf)
    assert [wp.pool.name for wp in ranked] == ["h@b#b", "h@b#a", "h@b#c"]
    assert [wp.weight for wp in ranked] == pytest.approx([0.5 + 1.0, 1.0, 0.5])
