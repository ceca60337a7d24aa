"""Placing share groups: the group filters, every share type's filters, and shares kept
on their group's pool or backend."""

from __future__ import annotations

from collections.abc import Callable

from oslo_config import cfg

from abaca.common.types import RequestSpec, ShareGroupSpec, ShareTypeSpec
from abaca.scheduler.filter_scheduler import FilterScheduler
from abaca.scheduler.filters.share_group import ConsistentSnapshotFilter
from abaca.scheduler.host_state import PoolState

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]


def _group(*types: dict[str, str], zone: str | None = None,
           **group_specs: str) -> ShareGroupSpec:
    return ShareGroupSpec(
        share_group_id="g1", project_id="proj",
        share_types=tuple(ShareTypeSpec(id=f"t{i}", name=f"type{i}", extra_specs=specs)
                          for i, specs in enumerate(types)),
        group_specs=dict(group_specs), availability_zone=zone)


def test_group_filters_are_manilas(conf: cfg.ConfigOpts) -> None:
    fs = FilterScheduler(conf)
    assert [f.name for f in fs.group_filters] == ["AvailabilityZoneFilter",
                                                  "ConsistentSnapshotFilter"]


def test_consistent_snapshot_filter(make_pool: PoolFactory, make_spec: SpecFactory) -> None:
    fltr = ConsistentSnapshotFilter()
    pooled = make_pool(sg_consistent_snapshot_support="pool")
    plain = make_pool()
    wants_pool = make_spec(hints={"consistent_snapshot_support": "pool"})
    wants_host = make_spec(hints={"consistent_snapshot_support": "host"})
    assert fltr.passes(pooled, wants_pool) and not fltr.passes(plain, wants_pool)
    assert not fltr.passes(pooled, wants_host)
    assert fltr.passes(plain, make_spec()) and fltr.passes(pooled, make_spec())


def test_a_group_needs_a_pool_every_share_type_may_use(conf: cfg.ConfigOpts,
                                                       make_pool: PoolFactory) -> None:
    pools = [make_pool("h@fast#p", disk_type="ssd", share_backend_name="fast"),
             make_pool("h@slow#p", disk_type="hdd", share_backend_name="slow"),
             make_pool("h@both#p", disk_type="ssd", tier="gold", share_backend_name="both")]
    fs = FilterScheduler(conf)
    one = fs.schedule_group(_group({"disk_type": "ssd"}), pools)
    assert {c.host for c in one} == {"h@fast#p", "h@both#p"}
    two = fs.schedule_group(_group({"disk_type": "ssd"}, {"tier": "gold"}), pools)
    assert [c.host for c in two] == ["h@both#p"]
    assert fs.schedule_group(_group({"disk_type": "nvme"}), pools) == []


def test_group_zone_and_consistent_snapshots(conf: cfg.ConfigOpts,
                                             make_pool: PoolFactory) -> None:
    pools = [make_pool("h@a#p", availability_zone="z1"),
             make_pool("h@b#p", availability_zone="z2",
                       sg_consistent_snapshot_support="pool"),
             make_pool("h@c#p", availability_zone="z1",
                       sg_consistent_snapshot_support="pool")]
    fs = FilterScheduler(conf)
    assert {c.host for c in fs.schedule_group(_group({}, zone="z1"), pools)} == {
        "h@a#p", "h@c#p"}
    consistent = fs.schedule_group(
        _group({}, zone="z1", consistent_snapshot_support="pool"), pools)
    assert [c.host for c in consistent] == ["h@c#p"]


def test_shares_of_a_group_stay_on_its_pool_or_backend(conf: cfg.ConfigOpts,
                                                       make_pool: PoolFactory,
                                                       make_spec: SpecFactory) -> None:
    pools = [make_pool("h@a#p1", free_capacity_gb=10), make_pool("h@a#p2"),
             make_pool("h@b#p1", free_capacity_gb=90)]
    fs = FilterScheduler(conf)
    on_backend = fs.schedule(make_spec(hints={"share_group_host": "h@a"}), pools)
    assert {c.host for c in on_backend} == {"h@a#p1", "h@a#p2"}
    on_pool = fs.schedule(make_spec(hints={"share_group_host": "h@a#p1"}), pools)
    assert [c.host for c in on_pool] == ["h@a#p1"]
    free = fs.schedule(make_spec(), pools)
    assert free[0].host == "h@b#p1"
