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
