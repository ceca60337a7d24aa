"""Prefer pools whose backend's ``goodness_function`` rates the share highly."""

from __future__ import annotations

import logging

from abaca.common.types import RequestSpec
from abaca.scheduler import pool_functions
from abaca.scheduler.expressions import ExpressionError
from abaca.scheduler.host_state import PoolState
from abaca.scheduler.weighers.base import BaseWeigher

LOG = logging.getLogger(__name__)

GOODNESS_FUNCTION = "goodness_function"
BEST = 100.0


class GoodnessWeigher(BaseWeigher):
    """Raw weight: the pool capability ``goodness_function``, 0 (worst) to 100 (best).

    True counts as 100 and False as 0. No function, a function that fails, or a result
    that is not a number within 0..100 gives 0 (Manila's rules).
    """

    def weigh(self, pool: PoolState, spec: RequestSpec) -> float | None:
        text = pool_functions.function_of(pool, GOODNESS_FUNCTION)
        if text is None:
            return 0.0
        try:
            result = pool_functions.evaluate(text, pool, spec)
        except ExpressionError as exc:
            LOG.warning("pool %s: goodness_function %r failed (%s); goodness 0",
                        pool.name, text, exc)
            return 0.0
        if isinstance(result, bool):
            return BEST if result else 0.0
        if not isinstance(result, int | float) or not 0 <= result <= BEST:
            LOG.warning("pool %s: goodness_function %r gave %r, not within 0..100; "
                        "goodness 0", pool.name, text, result)
            return 0.0
        return float(result)
