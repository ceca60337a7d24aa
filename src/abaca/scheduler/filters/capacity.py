"""Keep pools with room for the share, thick or thin."""

from __future__ import annotations

import logging
import math

from abaca.common.types import RequestSpec
from abaca.scheduler import request
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

LOG = logging.getLogger(__name__)


class CapacityFilter(BaseFilter):
    """Free space after the reserve must hold the share (Manila's rules).

    The reserve is the pool's ``reserved_percentage`` of the total for a new share,
    ``reserved_snapshot_percentage`` for a share created from a snapshot and
    ``reserved_share_extend_percentage`` for an extend (``spec.size`` is then the
    increase).

    Thin provisioning (the pool reports it and the share type does not ask for thick)
    caps what is promised instead: provisioned plus the new share may not exceed
    ``max_over_subscription_ratio`` times the total, and the free space after the
    reserve, times that ratio, must hold the share. A pool whose free space is unknown
    or infinite passes, as in Manila: refusing it would make such backends unusable.
    """

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        size = spec.size
        operation = request.operation_of(spec)
        total, free = pool.total_capacity_gb, pool.free_capacity_gb
        if free is None or free == math.inf:
            return True
        if total is None or total == math.inf:
            # The reserve is a share of a total we cannot compute: only honour a pool
            # that reserves nothing.
            return pool.reserved_percentage_for(operation) == 0 and free >= size
        if total <= 0:
            LOG.debug("pool %s reports a total capacity of %s", pool.name, total)
            return False
        free_after_reserve = math.floor(free - pool.reserved_gb(operation))
        if pool.uses_thin_provisioning(spec):
            ratio = pool.max_over_subscription_ratio
            if (pool.provisioned_capacity_gb + size) / total > ratio:
                LOG.debug("pool %s: %s GiB more would over-subscribe it beyond %s",
                          pool.name, size, ratio)
                return False
            return free_after_reserve * ratio >= size
        return free_after_reserve >= size
