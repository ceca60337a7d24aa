"""Place a share with (AffinityFilter) or away from (AntiAffinityFilter) other shares.

The user names shares in the ``same_host`` / ``different_host`` hints; the API resolves
them to the pools their instances are on (``same_host_hosts`` /
``different_host_hosts``) so that these filters never touch the database.
"""

from __future__ import annotations

import logging

from abaca.common.types import RequestSpec
from abaca.scheduler import request
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

LOG = logging.getLogger(__name__)


class AffinityFilter(BaseFilter):
    """Keep pools holding every ``same_host`` share (an instance of each).

    ``same_host_hosts`` lists those pools; groups separated by ``;`` (one per share)
    are intersected. Shares named but not resolved reject every pool: placing the
    share anywhere would silently ignore what the user asked for.
    """

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        shares = request.hint(spec, request.SAME_HOST)
        resolved = request.hint(spec, request.SAME_HOST_HOSTS)
        if resolved is None:
            if shares:
                LOG.warning("share %s: same_host %s was not resolved to hosts",
                            spec.share_id, shares)
                return False
            return True
        groups = request.host_groups(resolved)
        return bool(groups) and all(pool.name in group for group in groups)


class AntiAffinityFilter(BaseFilter):
    """Drop pools holding any ``different_host`` share (the union of their pools)."""

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        shares = request.hint(spec, request.DIFFERENT_HOST)
        resolved = request.hint(spec, request.DIFFERENT_HOST_HOSTS)
        if resolved is None:
            if shares:
                LOG.warning("share %s: different_host %s was not resolved to hosts",
                            spec.share_id, shares)
                return False
            return True
        excluded = request.host_list(resolved.replace(";", ","))
        return pool.name not in excluded
