"""Keep pools that can create a share from the requested snapshot."""

from __future__ import annotations

from abaca.common.types import RequestSpec
from abaca.scheduler import request
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState


class CreateFromSnapshotFilter(BaseFilter):
    """The pool must be on the snapshot's backend or in its replication domain.

    Only for a create from snapshot whose snapshot host is known; any other request
    passes. The snapshot's replication domain is what the scheduler found in its own
    view of the snapshot's pool (``snapshot_replication_domain``).
    """

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        if request.operation_of(spec) != request.CREATE_FROM_SNAPSHOT or not spec.snapshot_host:
            return True
        if pool.service_host == request.backend_of(spec.snapshot_host.strip()):
            return True
        domain = request.hint(spec, request.SNAPSHOT_REPLICATION_DOMAIN)
        return bool(domain) and pool.replication_domain == domain
