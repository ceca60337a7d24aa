"""CreateFromSnapshotFilter and ShareReplicationFilter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from abaca.common.types import RequestSpec
from abaca.scheduler.filters.create_from_snapshot import CreateFromSnapshotFilter
from abaca.scheduler.filters.share_replication import ShareReplicationFilter
from abaca.scheduler.host_state import PoolState

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]

FROM_SNAPSHOT = {"operation": "create_from_snapshot", "snapshot_id": "snap"}

SNAPSHOT_CASES: list[tuple[str, dict[str, Any], str, dict[str, Any], bool]] = [
    ("plain create", {"operation": "create"}, "x@y#p", {}, True),
    ("snapshot host unknown", {"operation": "create_from_snapshot"}, "x@y#p", {}, True),
    ("same pool", {**FROM_SNAPSHOT, "snapshot_host": "h@b#p"}, "h@b#p", {}, True),
    ("same backend, other pool", {**FROM_SNAPSHOT, "snapshot_host": "h@b#p"}, "h@b#q", {},
     True),
    ("snapshot host given as a backend", {**FROM_SNAPSHOT, "snapshot_host": "h@b"}, "h@b#q",
     {}, True),
    ("other backend, same host", {**FROM_SNAPSHOT, "snapshot_host": "h@b#p"}, "h@c#p", {},
     False),
    ("other backend, same replication domain",
     {**FROM_SNAPSHOT, "snapshot_host": "h@b#p",
      "hints": {"snapshot_replication_domain": "dom"}},
     "g@c#p", {"replication_domain": "dom"}, True),
    ("other backend, other domain",
     {**FROM_SNAPSHOT, "snapshot_host": "h@b#p",
      "hints": {"snapshot_replication_domain": "dom"}},
     "g@c#p", {"replication_domain": "other"}, False),
    ("other backend, snapshot has no domain",
     {**FROM_SNAPSHOT, "snapshot_host": "h@b#p"}, "g@c#p", {"replication_domain": None},
     False),
    ("a create naming a snapshot counts", {"snapshot_id": "snap", "snapshot_host": "h@b#p"},
     "g@c#p", {}, False),
    ("extend is not concerned", {"operation": "extend", "snapshot_host": "h@b#p"}, "g@c#p",
     {}, True),
]


@pytest.mark.parametrize(("spec_args", "pool", "caps", "passes"),
                         [c[1:] for c in SNAPSHOT_CASES], ids=[c[0] for c in SNAPSHOT_CASES])
def test_create_from_snapshot_filter(make_pool: PoolFactory, make_spec: SpecFactory,
                                     spec_args: dict[str, Any], pool: str,
                                     caps: dict[str, Any], passes: bool) -> None:
    assert CreateFromSnapshotFilter().passes(make_pool(pool, **caps),
                                             make_spec(**spec_args)) is passes


REPLICATED = {"replication_type": "dr"}
NEW_REPLICA = {"active_replica_host": "h@b#p", "active_replica_replication_domain": "dom",
               "all_replica_hosts": "h@b#p,h@c#p"}

REPLICATION_CASES: list[tuple[str, dict[str, str] | None, dict[str, str], str,
                              dict[str, Any], bool]] = [
    ("no share type", None, {}, "h@b#p", {}, True),
    ("not replicated", {}, {}, "h@b#p", {}, True),
    ("empty replication_type", {"replication_type": " "}, {}, "h@b#p", {}, True),
    ("replicated, pool has a domain", REPLICATED, {}, "h@b#p",
     {"replication_domain": "dom"}, True),
    ("replicated, pool has no domain", REPLICATED, {}, "h@b#p", {}, False),
    ("replicated, empty domain", REPLICATED, {}, "h@b#p", {"replication_domain": ""}, False),
    ("new replica, same domain, new pool", REPLICATED, NEW_REPLICA, "h@d#p",
     {"replication_domain": "dom"}, True),
    ("new replica, other domain", REPLICATED, NEW_REPLICA, "h@d#p",
     {"replication_domain": "elsewhere"}, False),
    ("new replica, pool already holds one", REPLICATED, NEW_REPLICA, "h@c#p",
     {"replication_domain": "dom"}, False),
    ("new replica, active domain unknown", REPLICATED,
     {"active_replica_host": "h@b#p"}, "h@d#p", {"replication_domain": "dom"}, False),
]


@pytest.mark.parametrize(("extra_specs", "hints", "pool", "caps", "passes"),
                         [c[1:] for c in REPLICATION_CASES],
                         ids=[c[0] for c in REPLICATION_CASES])
def test_share_replication_filter(make_pool: PoolFactory, make_spec: SpecFactory,
                                  extra_specs: dict[str, str] | None, hints: dict[str, str],
                                  pool: str, caps: dict[str, Any], passes: bool) -> None:
    spec = make_spec(extra_specs=extra_specs, hints=hints)
    assert ShareReplicationFilter().passes(make_pool(pool, **caps), spec) is passes
