"""The scheduler's in-memory view of every pool, rebuilt from share services' reports.

Nothing here is persisted: a restarted scheduler asks the share services to report
(``publish_service_capabilities``) and knows everything again a moment later. Reports
arrive on RPC threads while other threads schedule, hence the lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from abaca.scheduler.host_state import PoolState

LOG = logging.getLogger(__name__)


class HostManager:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        # monotonic: a wall-clock jump must not make every pool look stale (or fresh).
        self._clock = clock
        self._lock = threading.Lock()
        self._pools: dict[str, dict[str, PoolState]] = {}

    def update_service_capabilities(self, host: str, pools: Iterable[dict[str, Any]]) -> None:
        """Replace what ``host`` ("hostname@backend") owns by its latest report.

        Pools absent from the report are dropped: the backend no longer offers them.
        A malformed pool is skipped with a warning rather than spoiling the others.
        """
        hostname, at, backend = host.partition("@")
        if not (hostname and at and backend) or "#" in host:
            LOG.warning("ignoring capabilities of '%s': not a hostname@backend", host)
            return
        now = self._clock()
        fresh: dict[str, PoolState] = {}
        for caps in pools:
            try:
                pool = PoolState.from_report(host, caps, now)
            except (TypeError, ValueError) as exc:
                LOG.warning("ignoring a pool reported by %s: %s", host, exc)
                continue
            fresh[pool.pool_name] = pool
        with self._lock:
            self._pools[host] = fresh
        LOG.debug("capabilities of %s updated: pools %s", host, sorted(fresh))

    def pools(self, usable_hosts: set[str], max_age: float) -> list[PoolState]:
        """Pools of usable services reported at most ``max_age`` seconds ago, by name.

        The PoolState objects are shared, not copied, so that ``consume`` on a chosen
        pool is seen by the next request.
        """
        oldest = self._clock() - max_age
        with self._lock:
            found = [pool for host, pools in self._pools.items() if host in usable_hosts
                     for pool in pools.values() if pool.updated_at >= oldest]
        return sorted(found, key=lambda pool: pool.name)
