from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from oslo_config import cfg

from abaca.common.errors import ConfigError
from abaca.common.types import Candidate, RequestSpec
from abaca.scheduler.filter_scheduler import FilterScheduler
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]


def test_loads_configured_plugins_in_order(conf: cfg.ConfigOpts) -> None:
    conf.set_override("default_filters", ["CapabilitiesFilter", "CapacityFilter"],
                      group="scheduler")
    fs = FilterScheduler(conf)
    assert [f.name for f in fs.filters] == ["CapabilitiesFilter", "CapacityFilter"]
    assert [w.name for w in fs.weighers] == ["CapacityWeigher"]


@pytest.mark.parametrize(("option", "names", "namespace"), [
    ("default_filters", ["CapacityFilter", "NoSuchFilter"], "abaca.scheduler.filters"),
    ("default_weighers", ["CapacityFilter"], "abaca.scheduler.weighers"),
])
def test_unknown_plugin_is_a_config_error(conf: cfg.ConfigOpts, option: str,
                                          names: list[str], namespace: str) -> None:
    conf.set_override(option, names, group="scheduler")
    with pytest.raises(ConfigError, match=rf"\[scheduler\] {option}: unknown plugin") as err:
        FilterScheduler(conf)
    assert names[-1] in err.value.message
    assert namespace in err.value.message


def test_candidates_best_first_and_truncated(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                             make_spec: SpecFactory) -> None:
    conf.set_override("max_candidates", 3, group="scheduler")
    pools = [make_pool(f"h{i}@b#p", free_capacity_gb=free)
             for i, free in enumerate([10, 60, 30, 50, 20])]
    candidates = FilterScheduler(conf).schedule(make_spec(size=1), pools)
    assert [c.host for c in candidates] == ["h1@b#p", "h3@b#p", "h2@b#p"]
    assert [c.service_host for c in candidates] == ["h1@b", "h3@b", "h2@b"]
    weights = [c.weight for c in candidates]
    assert weights == sorted(weights, reverse=True)
    assert weights[0] == pytest.approx(1.0)


def test_only_pools_that_pass_every_filter(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                           make_spec: SpecFactory) -> None:
    pools = [make_pool("a@b#p", free_capacity_gb=90, availability_zone="other"),
             make_pool("c@b#p", free_capacity_gb=80, driver_handles_share_servers=True),
             make_pool("d@b#p", free_capacity_gb=5),
             make_pool("e@b#p", free_capacity_gb=20)]
    spec = make_spec(size=10, availability_zone="nova",
                     extra_specs={"driver_handles_share_servers": "False"})
    assert FilterScheduler(conf).schedule(spec, pools) == [Candidate("e@b#p", 0.0)]


def test_nothing_fits(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                      make_spec: SpecFactory) -> None:
    pools = [make_pool("a@b#p", free_capacity_gb=5)]
    fs = FilterScheduler(conf)
    assert fs.schedule(make_spec(size=10), pools) == []
    assert fs.schedule(make_spec(size=1), []) == []
    assert pools[0].free_capacity_gb == 5  # nothing consumed


def test_consume_keeps_two_large_shares_apart(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                              make_spec: SpecFactory) -> None:
    # a is the roomiest but can hold only one of the two 40 GiB shares
    pools = [make_pool("a@b#p", free_capacity_gb=60), make_pool("b@b#p", free_capacity_gb=50)]
    fs = FilterScheduler(conf)
    first = fs.schedule(make_spec(size=40, share_id="s1"), pools)
    second = fs.schedule(make_spec(size=40, share_id="s2"), pools)
    assert first[0].host == "a@b#p"
    assert second[0].host == "b@b#p"
    assert "a@b#p" not in [c.host for c in second]
    assert (pools[0].free_capacity_gb, pools[1].free_capacity_gb) == (20, 10)


def test_consume_when_stacking(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                               make_spec: SpecFactory) -> None:
    conf.set_override("capacity_weight_multiplier", -1.0, group="scheduler")
    pools = [make_pool("full@b#p", free_capacity_gb=45),
             make_pool("roomy@b#p", free_capacity_gb=100)]
    fs = FilterScheduler(conf)
    assert fs.schedule(make_spec(size=40), pools)[0].host == "full@b#p"
    assert fs.schedule(make_spec(size=40), pools)[0].host == "roomy@b#p"


def test_only_the_first_candidate_is_consumed(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                              make_spec: SpecFactory) -> None:
    pools = [make_pool("a@b#p", free_capacity_gb=60), make_pool("b@b#p", free_capacity_gb=50)]
    candidates = FilterScheduler(conf).schedule(make_spec(size=10), pools)
    assert [c.host for c in candidates] == ["a@b#p", "b@b#p"]
    assert (pools[0].free_capacity_gb, pools[1].free_capacity_gb) == (50, 50)


class ExplodingFilter(BaseFilter):
    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        if pool.name.startswith("bad"):
            raise KeyError("surprise")
        return True


def test_a_failing_filter_skips_only_that_pool(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                               make_spec: SpecFactory) -> None:
    fs = FilterScheduler(conf)
    fs.filters.append(ExplodingFilter())
    pools = [make_pool("bad@b#p", free_capacity_gb=90), make_pool("good@b#p")]
    assert [c.host for c in fs.schedule(make_spec(), pools)] == ["good@b#p"]


class SlowFilter(BaseFilter):
    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        time.sleep(0.005)
        return True


def test_concurrent_requests_never_overfill(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                            make_spec: SpecFactory) -> None:
    pools = [make_pool("a@b#p", free_capacity_gb=50), make_pool("b@b#p", free_capacity_gb=50)]
    fs = FilterScheduler(conf)
    fs.filters.append(SlowFilter())  # widen the window between filtering and consuming
    placed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def request(i: int) -> None:
        start.wait()
        candidates = fs.schedule(make_spec(size=10, share_id=f"s{i}"), pools)
        if candidates:
            with lock:
                placed.append(candidates[0].host)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(placed) == {"a@b#p": 5, "b@b#p": 5}
