"""Keep pools with room for the share, thick or thin."""

from __future__ import annotations

import logging

from abaca.common.types import RequestSpec
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

LOG = logging.getLogger(__name__)


class CapacityFilter(BaseFilter):
    """Free space after the reserve must hold the share.

    Thin provisioning (the pool reports it and the share type does not ask for thick)
    additionally caps what is promised: provisioned plus the new share may not exceed
    ``max_over_subscription_ratio`` times the total. A pool whose free space is unknown
    or infinite passes, as in Manila: refusing it would make such backends unusable.
    """

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        size = spec.size
        total, free = pool.total_capacity_gb, pool.free_capacity_gb
        if free is None or free == float("inf"):
            return True
        if total is None or total == float("inf"):
            # The reserve is a share of a total we cannot compute: only honour a pool
            # that reserves nothing.
            return pool.reserved_percentage == 0 and free >= size
        if total <= 0:
            LOG.debug("pool %s reports a total capacity of %s", pool.name, total)
            return False
        free_after_reserve = free - pool.reserved_gb()
        if free_after_reserve < size:
            return False
        if pool.uses_thin_provisioning(spec):
            ratio = (pool.provisioned_capacity_gb + size) / total
            return ratio <= pool.max_over_subscription_ratio
        return True
