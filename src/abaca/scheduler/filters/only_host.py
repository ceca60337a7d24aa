"""Keep only the pool an administrator named in the ``only_host`` hint."""

from __future__ import annotations

import logging

from abaca.common.types import RequestSpec
from abaca.scheduler import request
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

LOG = logging.getLogger(__name__)


class OnlyHostFilter(BaseFilter):
    """``only_host`` must name the pool exactly (``host@backend#pool``).

    The hint is honoured for administrators only; anyone else's is ignored, as in
    Manila, so that a tenant cannot choose or probe backends.
    """

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        wanted = request.hint(spec, request.ONLY_HOST)
        if not wanted:
            return True
        if not spec.is_admin:
            LOG.debug("share %s: ignoring only_host from a non-admin", spec.share_id)
            return True
        return pool.name == wanted
