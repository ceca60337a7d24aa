"""Keep pools whose backend's ``filter_function`` accepts the share."""

from __future__ import annotations

import logging

from abaca.common.types import RequestSpec
from abaca.scheduler import pool_functions
from abaca.scheduler.expressions import ExpressionError
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

LOG = logging.getLogger(__name__)

FILTER_FUNCTION = "filter_function"


class DriverFilter(BaseFilter):
    """The pool capability ``filter_function`` must evaluate to something true.

    No function means no opinion: the pool passes. A function that cannot be evaluated
    (not allowed, unknown variable, a word compared with a number ...) rejects the
    pool: the backend asked to be choosy and we cannot tell what it wants.
    """

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        text = pool_functions.function_of(pool, FILTER_FUNCTION)
        if text is None:
            return True
        try:
            result = pool_functions.evaluate(text, pool, spec)
        except ExpressionError as exc:
            LOG.warning("pool %s: filter_function %r failed (%s); rejecting the pool",
                        pool.name, text, exc)
            return False
        if isinstance(result, str) or result is None:
            LOG.warning("pool %s: filter_function %r gave %r, not a boolean or number; "
                        "rejecting the pool", pool.name, text, result)
            return False
        return bool(result)
