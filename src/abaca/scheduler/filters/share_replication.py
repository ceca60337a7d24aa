"""Keep pools that can hold a replicated share (or the new replica of one)."""

from __future__ import annotations

import logging

from abaca.common.types import RequestSpec
from abaca.scheduler import request
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

LOG = logging.getLogger(__name__)

REPLICATION_TYPE = "replication_type"


class ShareReplicationFilter(BaseFilter):
    """A share type with ``replication_type`` needs a pool with a ``replication_domain``.

    Whether the pool offers that replication type is the CapabilitiesFilter's business
    (``replication_type`` is an ordinary capability). For a new replica (the hint
    ``active_replica_host`` is set) the pool must also be in the active replica's
    replication domain and not already hold a replica (``all_replica_hosts``).
    """

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        specs = request.extra_specs(spec)
        if not specs.get(REPLICATION_TYPE, "").strip():
            return True
        domain = pool.replication_domain
        if domain is None:
            LOG.debug("pool %s has no replication_domain", pool.name)
            return False
        active = request.hint(spec, request.ACTIVE_REPLICA_HOST)
        if not active:
            return True
        if domain != request.hint(spec, request.ACTIVE_REPLICA_REPLICATION_DOMAIN):
            return False
        return pool.name not in request.host_list(
            request.hint(spec, request.ALL_REPLICA_HOSTS))
