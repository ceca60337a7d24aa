"""Choose where a new share goes: filter the pools, weigh the survivors, keep the best."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from abaca.common.types import Candidate, RequestSpec
from abaca.scheduler import plugins
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState
from abaca.scheduler.weighers.base import BaseWeigher, weigh_pools

LOG = logging.getLogger(__name__)


class FilterScheduler:
    def __init__(self, conf: Any) -> None:
        self.conf = conf
        self.filters: list[BaseFilter] = plugins.load(
            plugins.FILTERS_NAMESPACE, conf.scheduler.default_filters, BaseFilter,
            "default_filters")
        self.weighers: list[BaseWeigher] = plugins.load(
            plugins.WEIGHERS_NAMESPACE, conf.scheduler.default_weighers, BaseWeigher,
            "default_weighers")
        # Filtering and consuming must be one step: two requests filtered together
        # would both see the room only one of them can have.
        self._lock = threading.Lock()

    def schedule(self, spec: RequestSpec, pools: Sequence[PoolState]) -> list[Candidate]:
        """Candidate pools for ``spec``, best first; empty when none fits.

        The share is counted against the first candidate at once, so the next request
        sees the pool as it will be, not as it was last reported.
        """
        with self._lock:
            passed = [pool for pool in pools if self._passes(pool, spec)]
            if not passed:
                LOG.debug("share %s: no pool of %d passed the filters", spec.share_id,
                          len(pools))
                return []
            weighed = weigh_pools(self.weighers, passed, spec, self.conf)
            chosen = weighed[:self.conf.scheduler.max_candidates]
            chosen[0].pool.consume(spec.size)
        candidates = [Candidate(host=wp.pool.name, weight=wp.weight) for wp in chosen]
        LOG.debug("share %s (%s GiB): candidates %s", spec.share_id, spec.size,
                  ", ".join(f"{c.host} ({c.weight:.3f})" for c in candidates))
        return candidates

    def _passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        for fltr in self.filters:
            try:
                ok = fltr.passes(pool, spec)
            except Exception:
                # One odd report must not stop scheduling on every other pool.
                LOG.exception("filter %s failed on pool %s; skipping the pool",
                              fltr.name, pool.name)
                return False
            if not ok:
                LOG.debug("share %s: pool %s rejected by %s", spec.share_id, pool.name,
                          fltr.name)
                return False
        return True
