"""Prefer pools with more room (spreading), or less with a negative multiplier (stacking)."""

from __future__ import annotations

import math
from typing import Any

from abaca.common.types import RequestSpec
from abaca.scheduler import request
from abaca.scheduler.host_state import PoolState
from abaca.scheduler.weighers.base import BaseWeigher


class CapacityWeigher(BaseWeigher):
    """Raw weight: the GiB still available to new shares.

    Thick: free minus the reserve (the operation's: see CapacityFilter). Thin: what
    over-subscription still allows, ``total * ratio - provisioned - reserve``. An
    infinite pool has the most room, so it comes first when spreading and last when
    stacking. A pool of unknown capacity cannot be ranked and comes last either way
    (Manila's choice): a pool known to have room is the safer bet.
    """

    def multiplier(self, conf: Any) -> float:
        return float(conf.scheduler.capacity_weight_multiplier)

    def weigh(self, pool: PoolState, spec: RequestSpec) -> float | None:
        total, free = pool.total_capacity_gb, pool.free_capacity_gb
        if total is None or free is None:
            return None
        if pool.capacity_infinite:
            return math.inf
        reserved = pool.reserved_gb(request.operation_of(spec))
        if pool.uses_thin_provisioning(spec):
            virtual = total * pool.max_over_subscription_ratio
            return virtual - pool.provisioned_capacity_gb - reserved
        return free - reserved
