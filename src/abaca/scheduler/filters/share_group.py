"""Filters of share group placement (``[scheduler] default_share_group_filters``)."""

from __future__ import annotations

from abaca.common.types import RequestSpec
from abaca.scheduler import request
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

# What a pool reports: how its backend snapshots a group together ("pool", "host" or
# nothing, when it snapshots the shares one after the other).
POOL_CAPABILITY = "sg_consistent_snapshot_support"


class ConsistentSnapshotFilter(BaseFilter):
    """A group type asking for ``consistent_snapshot_support`` (``pool`` or ``host``)
    needs a pool that reports the same; a type that does not ask takes any pool."""

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        wanted = request.hint(spec, request.CONSISTENT_SNAPSHOT_SUPPORT)
        if not wanted:
            return True
        return str(pool.capabilities.get(POOL_CAPABILITY) or "") == wanted


def in_group_host(pool: PoolState, spec: RequestSpec) -> bool:
    """A share of a group goes where its group is: the group's pool, or any pool of the
    group's backend when the hint names a backend only."""
    wanted = request.hint(spec, request.SHARE_GROUP_HOST)
    if not wanted:
        return True
    return pool.name == wanted if "#" in wanted else pool.service_host == wanted
