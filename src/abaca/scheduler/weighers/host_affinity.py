"""Prefer pools close to the snapshot a share is created from."""

from __future__ import annotations

from abaca.common.types import RequestSpec
from abaca.scheduler import request
from abaca.scheduler.host_state import PoolState
from abaca.scheduler.weighers.base import BaseWeigher

SAME_POOL = 100.0
SAME_BACKEND = 75.0
SAME_ZONE = 50.0
ELSEWHERE = 25.0


class HostAffinityWeigher(BaseWeigher):
    """Raw weight for a create from snapshot: the closer to the snapshot, the cheaper.

    The snapshot's own pool 100, its backend 75, its availability zone 50, anywhere
    else 25. Every other request (or a snapshot whose host is not known) weighs 0
    everywhere, which is no preference.
    """

    def weigh(self, pool: PoolState, spec: RequestSpec) -> float | None:
        if request.operation_of(spec) != request.CREATE_FROM_SNAPSHOT or not spec.snapshot_host:
            return 0.0
        snapshot_host = spec.snapshot_host.strip()
        if pool.name == snapshot_host:
            return SAME_POOL
        if pool.service_host == request.backend_of(snapshot_host):
            return SAME_BACKEND
        zone = request.hint(spec, request.SNAPSHOT_AVAILABILITY_ZONE)
        if zone and pool.availability_zone == zone:
            return SAME_ZONE
        return ELSEWHERE
