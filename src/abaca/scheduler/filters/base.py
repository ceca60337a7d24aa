"""What every scheduler filter is: a yes/no on one pool for one request."""

from __future__ import annotations

import abc

from abaca.common.types import RequestSpec
from abaca.scheduler.host_state import PoolState


class BaseFilter(abc.ABC):
    """A filter is built with no arguments, once, when the scheduler starts.

    ``passes`` must not change the pool: several requests are filtered over the same
    PoolState objects.
    """

    @property
    def name(self) -> str:
        return type(self).__name__

    @abc.abstractmethod
    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        """True if the share described by ``spec`` may go to ``pool``."""
