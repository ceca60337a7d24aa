from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from oslo_config import cfg

from abaca.common.errors import ConfigError
from abaca.common.types import Candidate, RequestSpec, extend_key
from abaca.scheduler.filter_scheduler import FilterScheduler, with_derived_hints
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_manager import HostManager
from abaca.scheduler.host_state import PoolState

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]


def test_loads_configured_plugins_in_order(conf: cfg.ConfigOpts) -> None:
    conf.set_override("default_filters", ["CapabilitiesFilter", "CapacityFilter"],
                      group="scheduler")
    fs = FilterScheduler(conf)
    assert [f.name for f in fs.filters] == ["CapabilitiesFilter", "CapacityFilter"]
    assert [w.name for w in fs.weighers] == ["CapacityWeigher", "GoodnessWeigher",
                                             "HostAffinityWeigher"]
    assert [f.name for f in fs.extend_filters] == ["CapacityFilter", "DriverFilter"]


def test_default_filters_are_manilas_in_order(conf: cfg.ConfigOpts) -> None:
    fs = FilterScheduler(conf)
    assert [f.name for f in fs.filters] == [
        "OnlyHostFilter", "AvailabilityZoneFilter", "CapacityFilter", "CapabilitiesFilter",
        "DriverFilter", "ShareReplicationFilter", "CreateFromSnapshotFilter",
        "AffinityFilter", "AntiAffinityFilter"]


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


def test_concurrent_thin_requests_never_overcommit(conf: cfg.ConfigOpts,
                                                   make_pool: PoolFactory,
                                                   make_spec: SpecFactory) -> None:
    """50 threads, 30 GiB each, 3 thin pools of 100 GiB with ratio 1.5.

    Each pool may promise 150 GiB. The pools already promise 75, so the ratio (not the
    free space, 100 GiB each) is what binds: two shares per pool, six in all.
    """
    thin = {"total_capacity_gb": 100, "free_capacity_gb": 100, "thin_provisioning": True,
            "max_over_subscription_ratio": 1.5, "provisioned_capacity_gb": 75}
    pools = [make_pool(f"h{i}@b#p", **thin) for i in range(3)]
    fs = FilterScheduler(conf)  # every default filter and weigher
    fs.filters.append(SlowFilter())
    placed: Counter[str] = Counter()
    failures: list[list[Candidate]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(50)

    def request(i: int) -> None:
        start.wait()
        try:
            candidates = fs.schedule(make_spec(size=30, share_id=f"s{i}"), pools)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            return
        with lock:
            if candidates:
                placed[candidates[0].host] += 1
            else:
                failures.append(candidates)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert placed == {"h0@b#p": 2, "h1@b#p": 2, "h2@b#p": 2}
    assert len(failures) == 44  # no valid host, not an exception and not an overcommit
    for pool in pools:
        assert pool.provisioned_capacity_gb <= 150
        assert pool.provisioned_capacity_gb == 75 + 30 * placed[pool.name]


def test_concurrent_thin_requests_free_space_binds(conf: cfg.ConfigOpts,
                                                   make_pool: PoolFactory,
                                                   make_spec: SpecFactory) -> None:
    thin = {"total_capacity_gb": 100, "free_capacity_gb": 100, "thin_provisioning": True,
            "max_over_subscription_ratio": 1.5, "provisioned_capacity_gb": 0}
    pools = [make_pool(f"h{i}@b#p", **thin) for i in range(3)]
    fs = FilterScheduler(conf)
    results: list[list[Candidate]] = []
    lock = threading.Lock()

    def request(i: int) -> None:
        candidates = fs.schedule(make_spec(size=30, share_id=f"s{i}"), pools)
        with lock:
            results.append(candidates)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 50
    assert all(p.provisioned_capacity_gb <= 150 for p in pools)
    placed = sum(1 for r in results if r)
    assert placed == sum(p.provisioned_capacity_gb for p in pools) / 30


def test_schedule_with_hints_end_to_end(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                        make_spec: SpecFactory) -> None:
    fs = FilterScheduler(conf)

    def hosts(**kwargs: Any) -> list[str]:
        pools = [make_pool("a@b#p", free_capacity_gb=90),
                 make_pool("a@b#q", free_capacity_gb=80),
                 make_pool("c@d#p", free_capacity_gb=70, filter_function="share.size < 5"),
                 make_pool("e@f#p", free_capacity_gb=10, goodness_function="100")]
        return [c.host for c in fs.schedule(make_spec(**kwargs), pools)]

    # capacity 1, 0.875, 0.75, 0 plus goodness 0, 0, 0, 1
    assert hosts(size=1) == ["a@b#p", "e@f#p", "a@b#q"]
    assert hosts(size=6) == ["a@b#p", "e@f#p", "a@b#q"]
    assert hosts(size=1, hints={"only_host": "c@d#p"}, is_admin=True) == ["c@d#p"]
    assert hosts(size=6, hints={"only_host": "c@d#p"}, is_admin=True) == []
    assert hosts(hints={"only_host": "c@d#p"})[0] == "a@b#p"  # not an admin: ignored
    assert hosts(hints={"same_host": "s", "same_host_hosts": "a@b#q"}) == ["a@b#q"]
    assert hosts(hints={"different_host": "s", "different_host_hosts": "a@b#p"}) == [
        "a@b#q", "e@f#p", "c@d#p"]
    assert hosts(size=5, extra_specs={"replication_type": "dr"}) == []


def test_create_from_snapshot_derives_the_snapshots_domain_and_zone(
        conf: cfg.ConfigOpts, make_pool: PoolFactory, make_spec: SpecFactory) -> None:
    pools = [make_pool("snap@b#p", free_capacity_gb=5, replication_domain="dom",
                       availability_zone="az1"),
             make_pool("snap@b#q", free_capacity_gb=20, availability_zone="az1"),
             make_pool("peer@c#p", free_capacity_gb=90, replication_domain="dom",
                       availability_zone="az2"),
             make_pool("zone@d#p", free_capacity_gb=90, replication_domain="other",
                       availability_zone="az1"),
             make_pool("far@e#p", free_capacity_gb=90, availability_zone="az2")]
    conf.set_override("max_candidates", 5, group="scheduler")
    conf.set_override("capacity_weight_multiplier", 0.0, group="scheduler")
    fs = FilterScheduler(conf)
    # a caller cannot smuggle its own idea of the snapshot's domain past the filter
    spec = make_spec(size=1, operation="create_from_snapshot", snapshot_id="snap",
                     snapshot_host="snap@b#p",
                     hints={"snapshot_replication_domain": "other"})
    candidates = fs.schedule(spec, pools)
    # same pool 100, same backend 75, in the domain elsewhere 25; zone@d and far@e
    # are in other domains
    assert [c.host for c in candidates] == ["snap@b#p", "snap@b#q", "peer@c#p"]


def test_derived_hints(make_pool: PoolFactory, make_spec: SpecFactory) -> None:
    pools = [make_pool("snap@b#p", replication_domain="dom", availability_zone="az1"),
             make_pool("act@c#p", replication_domain="rdom")]
    spec = make_spec(operation="create_from_snapshot", snapshot_host="snap@b#zzz",
                     hints={"snapshot_availability_zone": "forged", "same_host": "x",
                            "active_replica_host": "act@c#p"})
    derived = with_derived_hints(spec, pools).scheduler_hints
    assert derived == {"same_host": "x", "active_replica_host": "act@c#p",
                       "snapshot_replication_domain": "dom",
                       "snapshot_availability_zone": "az1",
                       "active_replica_replication_domain": "rdom"}
    plain = make_spec(hints={"only_host": "x"})
    assert with_derived_hints(plain, pools) is plain
    unknown = make_spec(operation="create_from_snapshot", snapshot_host="gone@x#p",
                        hints={"snapshot_replication_domain": "forged"})
    assert with_derived_hints(unknown, pools).scheduler_hints == {}


EXTEND_CASES: list[tuple[str, dict[str, Any], int, bool]] = [
    ("fits", {"free_capacity_gb": 50}, 50, True),
    ("too big", {"free_capacity_gb": 50}, 51, False),
    ("extend reserve", {"free_capacity_gb": 50, "reserved_share_extend_percentage": 20},
     31, False),
    ("extend reserve fits", {"free_capacity_gb": 50, "reserved_share_extend_percentage": 20},
     30, True),
    ("create reserve does not apply", {"free_capacity_gb": 50, "reserved_percentage": 40},
     50, True),
    ("thin ratio", {"free_capacity_gb": 50, "thin_provisioning": True,
                    "max_over_subscription_ratio": 2.0, "provisioned_capacity_gb": 180},
     21, False),
    ("driver filter", {"free_capacity_gb": 50, "filter_function": "share.size <= 10"}, 11,
     False),
    ("unknown capacity", {"free_capacity_gb": "unknown"}, 1000, True),
]


@pytest.mark.parametrize(("caps", "increase", "ok"), [c[1:] for c in EXTEND_CASES],
                         ids=[c[0] for c in EXTEND_CASES])
def test_check_extend(conf: cfg.ConfigOpts, make_pool: PoolFactory, caps: dict[str, Any],
                      increase: int, ok: bool) -> None:
    pools = [make_pool("h@b#other", free_capacity_gb=1000), make_pool("h@b#p", **caps)]
    before = pools[1].provisioned_capacity_gb
    assert FilterScheduler(conf).check_extend("h@b#p", increase, pools) is ok
    assert pools[1].provisioned_capacity_gb == before + (increase if ok else 0)
    assert pools[0].provisioned_capacity_gb == 50  # untouched


def test_check_extend_consumes(conf: cfg.ConfigOpts, make_pool: PoolFactory) -> None:
    pools = [make_pool("h@b#p", free_capacity_gb=50)]
    fs = FilterScheduler(conf)
    assert fs.check_extend("h@b#p", 30, pools) is True
    assert pools[0].free_capacity_gb == 20
    assert fs.check_extend("h@b#p", 30, pools) is False
    assert fs.check_extend("h@b#p", 0, pools) is True  # nothing to make room for
    assert pools[0].free_capacity_gb == 20


def test_check_extend_unknown_pool(conf: cfg.ConfigOpts, make_pool: PoolFactory) -> None:
    assert FilterScheduler(conf).check_extend("h@b#gone", 1, [make_pool("h@b#p")]) is False


def test_check_extend_honours_the_share_type(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                             make_spec: SpecFactory) -> None:
    thin = {"free_capacity_gb": 10, "thin_provisioning": True,
            "max_over_subscription_ratio": 5.0, "provisioned_capacity_gb": 10}
    fs = FilterScheduler(conf)
    assert fs.check_extend("h@b#p", 40, [make_pool(**thin)]) is True
    thick = make_spec(size=1, extra_specs={"thin_provisioning": "False"})
    assert fs.check_extend("h@b#p", 40, [make_pool(**thin)], thick) is False


def test_hints_may_arrive_as_null(conf: cfg.ConfigOpts, make_pool: PoolFactory,
                                  make_spec: SpecFactory) -> None:
    data = make_spec(size=1).to_dict()
    data["scheduler_hints"] = None
    spec = RequestSpec.from_dict(data)
    assert [c.host for c in FilterScheduler(conf).schedule(spec, [make_pool()])] == ["h@b#p"]


def test_a_report_between_placements_does_not_reopen_a_full_pool(
        conf: cfg.ConfigOpts, make_report: Callable[..., dict[str, Any]],
        make_spec: SpecFactory) -> None:
    # 100 GiB thick, empty: room for three 30 GiB shares
    report = make_report("p", total_capacity_gb=100, free_capacity_gb=100,
                         allocated_capacity_gb=0)
    hm = HostManager()
    fs = FilterScheduler(conf, consume=hm.consume)
    hm.update_service_capabilities("h@b", [report])
    placed = []
    for i in range(8):
        if fs.schedule(make_spec(size=30, share_id=f"s{i}"), hm.pools({"h@b"}, 60)):
            placed.append(f"s{i}-inst")
        # the share service reports while none of them is created yet
        hm.update_service_capabilities("h@b", [report])
    assert len(placed) == 3
    # all created now, the report says so and names them: 10 GiB left, counted once
    full = dict(report, free_capacity_gb=10, allocated_capacity_gb=90)
    hm.update_service_capabilities("h@b", [full], finished=placed)
    (pool,) = hm.pools({"h@b"}, 60)
    assert (pool.free_capacity_gb, pool.allocated_capacity_gb) == (10, 90)
    assert fs.schedule(make_spec(size=10, share_id="s9"), [pool])


def test_check_extend_is_counted_until_reported_over(
        conf: cfg.ConfigOpts, make_report: Callable[..., dict[str, Any]],
        make_spec: SpecFactory) -> None:
    hm = HostManager()
    fs = FilterScheduler(conf, consume=hm.consume)
    hm.update_service_capabilities("h@b", [make_report("p", free_capacity_gb=50)])
    spec = make_spec(size=1, share_id="s1")
    assert fs.check_extend("h@b#p", 30, hm.pools({"h@b"}, 60), spec)
    assert hm.pending("h@b#p") == {extend_key("s1-inst"): 30}
    hm.update_service_capabilities("h@b", [make_report("p", free_capacity_gb=50)])
    assert not fs.check_extend("h@b#p", 30, hm.pools({"h@b"}, 60), spec)
    hm.update_service_capabilities("h@b", [make_report("p", free_capacity_gb=20)],
                                   finished=[extend_key("s1-inst")])
    assert hm.pools({"h@b"}, 60)[0].free_capacity_gb == 20
