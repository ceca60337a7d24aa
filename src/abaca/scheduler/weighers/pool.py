"""Prefer pools that already have a share server for the request (DHSS)."""

from __future__ import annotations

from typing import Any

from abaca.common.types import RequestSpec
from abaca.scheduler import extra_specs_ops, request
from abaca.scheduler.host_state import PoolState
from abaca.scheduler.weighers.base import BaseWeigher

SHARE_SERVER_COUNT = "share_server_count"


class PoolWeigher(BaseWeigher):
    """Raw weight 1 for a pool that can reuse a share server, else 0.

    Only pools of backends that handle share servers are weighed. What tells: the
    ``share_server_pools`` hint (pools, or whole backends as ``host@backend``, that
    have a share server on the request's share network) when the caller sent it, otherwise the
    pool capability ``share_server_count`` (more than zero). With neither, 0: no
    preference. Scaled by ``[scheduler] pool_weight_multiplier``.
    """

    def multiplier(self, conf: Any) -> float:
        return float(conf.scheduler.pool_weight_multiplier)

    def weigh(self, pool: PoolState, spec: RequestSpec) -> float | None:
        if extra_specs_ops.to_bool(
                pool.capabilities.get("driver_handles_share_servers")) is not True:
            return 0.0
        listed = request.hint(spec, request.SHARE_SERVER_POOLS)
        if listed is not None:
            hosts = request.host_list(listed)
            return 1.0 if pool.name in hosts or pool.service_host in hosts else 0.0
        try:
            count = float(pool.capabilities.get(SHARE_SERVER_COUNT) or 0)
        except (TypeError, ValueError):
            return 0.0
        return 1.0 if count > 0 else 0.0
