"""Filters driven by scheduler hints: OnlyHostFilter, AffinityFilter, AntiAffinityFilter."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from abaca.common.types import RequestSpec
from abaca.scheduler.filters.affinity import AffinityFilter, AntiAffinityFilter
from abaca.scheduler.filters.only_host import OnlyHostFilter
from abaca.scheduler.host_state import PoolState

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]

ONLY_HOST_CASES: list[tuple[str, dict[str, str], bool, str, bool]] = [
    ("no hint", {}, True, "h@b#p", True),
    ("exact pool", {"only_host": "h@b#p"}, True, "h@b#p", True),
    ("padded", {"only_host": " h@b#p "}, True, "h@b#p", True),
    ("other pool", {"only_host": "h@b#q"}, True, "h@b#p", False),
    ("backend only is not a pool", {"only_host": "h@b"}, True, "h@b#p", False),
    ("host only", {"only_host": "h"}, True, "h@b#p", False),
    ("empty hint", {"only_host": ""}, True, "h@b#p", True),
    ("non-admin hint ignored", {"only_host": "h@b#q"}, False, "h@b#p", True),
]


@pytest.mark.parametrize(("hints", "is_admin", "pool", "passes"),
                         [c[1:] for c in ONLY_HOST_CASES], ids=[c[0] for c in ONLY_HOST_CASES])
def test_only_host_filter(make_pool: PoolFactory, make_spec: SpecFactory,
                          hints: dict[str, str], is_admin: bool, pool: str,
                          passes: bool) -> None:
    spec = make_spec(hints=hints, is_admin=is_admin)
    assert OnlyHostFilter().passes(make_pool(pool), spec) is passes


AFFINITY_CASES: list[tuple[str, dict[str, str], str, bool]] = [
    ("no hint", {}, "h@b#p", True),
    ("on the share's pool", {"same_host": "s1", "same_host_hosts": "h@b#p"}, "h@b#p", True),
    ("elsewhere", {"same_host": "s1", "same_host_hosts": "h@b#q"}, "h@b#p", False),
    ("same backend, other pool is not enough",
     {"same_host": "s1", "same_host_hosts": "h@b#q"}, "h@b#p", False),
    ("any of one share's instances",
     {"same_host": "s1", "same_host_hosts": "h@b#q, h@b#p"}, "h@b#p", True),
    ("two shares together", {"same_host": "s1,s2", "same_host_hosts": "h@b#p;h@b#p"},
     "h@b#p", True),
    ("two shares apart: intersection empty",
     {"same_host": "s1,s2", "same_host_hosts": "h@b#p;h@b#q"}, "h@b#p", False),
    ("one share with replicas, one without",
     {"same_host": "s1,s2", "same_host_hosts": "h@b#p,h@b#q;h@b#p"}, "h@b#p", True),
    ("not resolved: nothing passes", {"same_host": "s1"}, "h@b#p", False),
    ("resolved to nothing", {"same_host": "s1", "same_host_hosts": ""}, "h@b#p", False),
    ("hosts without ids still count", {"same_host_hosts": "h@b#p"}, "h@b#p", True),
    ("empty ids", {"same_host": " "}, "h@b#p", True),
]


@pytest.mark.parametrize(("hints", "pool", "passes"), [c[1:] for c in AFFINITY_CASES],
                         ids=[c[0] for c in AFFINITY_CASES])
def test_affinity_filter(make_pool: PoolFactory, make_spec: SpecFactory,
                         hints: dict[str, str], pool: str, passes: bool) -> None:
    assert AffinityFilter().passes(make_pool(pool), make_spec(hints=hints)) is passes


ANTI_AFFINITY_CASES: list[tuple[str, dict[str, str], str, bool]] = [
    ("no hint", {}, "h@b#p", True),
    ("on the share's pool", {"different_host": "s1", "different_host_hosts": "h@b#p"},
     "h@b#p", False),
    ("elsewhere", {"different_host": "s1", "different_host_hosts": "h@b#q"}, "h@b#p", True),
    ("union of shares", {"different_host": "s1,s2",
                         "different_host_hosts": "h@b#q,h@b#p"}, "h@b#p", False),
    ("union, grouped", {"different_host": "s1,s2", "different_host_hosts": "h@b#q;h@b#p"},
     "h@b#p", False),
    ("not resolved: nothing passes", {"different_host": "s1"}, "h@b#p", False),
    ("resolved to nothing: nothing to avoid",
     {"different_host": "s1", "different_host_hosts": ""}, "h@b#p", True),
]


@pytest.mark.parametrize(("hints", "pool", "passes"), [c[1:] for c in ANTI_AFFINITY_CASES],
                         ids=[c[0] for c in ANTI_AFFINITY_CASES])
def test_anti_affinity_filter(make_pool: PoolFactory, make_spec: SpecFactory,
                              hints: dict[str, str], pool: str, passes: bool) -> None:
    assert AntiAffinityFilter().passes(make_pool(pool), make_spec(hints=hints)) is passes
