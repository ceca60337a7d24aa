"""The scheduler's in-memory view of every pool, rebuilt from share services' reports.

Nothing here is persisted: a restarted scheduler asks the share services to report
(``publish_service_capabilities``) and knows everything again a moment later. Reports
arrive on RPC threads while other threads schedule, hence the lock.

A report says what the backend holds, not what is on its way to it: a share placed a
moment ago may not be created yet when its share service gathers the next report. So
every placement stays *pending* and is counted on top of each new report until the share
service says, in a report, that the operation is over (``finished``: the ids it finished,
taken before it asked the driver for its figures), or until ``pending_max_age`` passes
(a share service that died with the news). Counting one twice for a moment errs on the
side of room; forgetting one would put two large shares into one nearly full pool.
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
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 pending_max_age: float = 600.0) -> None:
        # monotonic: a wall-clock jump must not make every pool look stale (or fresh).
        self._clock = clock
        self._pending_max_age = pending_max_age
        self._lock = threading.Lock()
        self._pools: dict[str, dict[str, PoolState]] = {}
        # pool name -> operation key -> (GiB, when placed)
        self._pending: dict[str, dict[str, tuple[float, float]]] = {}

    def consume(self, pool: PoolState, size_gb: float, key: str) -> None:
        """Count ``size_gb`` against ``pool`` now, and on top of its reports until the
        operation ``key`` (a share instance id, or ``extend_key(id)``) is reported over."""
        pool.consume(size_gb)
        if key:
            with self._lock:
                self._pending.setdefault(pool.name, {})[key] = (size_gb, self._clock())

    def pending(self, pool_name: str) -> dict[str, float]:
        """What is counted against ``pool_name`` beyond its last report, by operation."""
        with self._lock:
            return {key: size for key, (size, _) in self._pending.get(pool_name, {}).items()}

    def update_service_capabilities(self, host: str, pools: Iterable[dict[str, Any]],
                                    finished: Iterable[str] = ()) -> None:
        """Replace what ``host`` ("hostname@backend") owns by its latest report.

        Pools absent from the report are dropped: the backend no longer offers them.
        A malformed pool is skipped with a warning rather than spoiling the others.
        ``finished``: operations the report already reflects; they stop being pending.
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
        done = set(finished)
        with self._lock:
            self._settle_pending(host, now, done)
            for pool in fresh.values():
                for size, _ in self._pending.get(pool.name, {}).values():
                    pool.consume(size)
            self._pools[host] = fresh
        LOG.debug("capabilities of %s updated: pools %s", host, sorted(fresh))

    def _settle_pending(self, host: str, now: float, done: set[str]) -> None:
        """Forget ``host``'s pending operations that are over or too old (lock held)."""
        oldest = now - self._pending_max_age
        for name in [n for n in self._pending if n.partition("#")[0] == host]:
            pending = self._pending[name]
            for key in [k for k, (_, at) in pending.items() if k in done or at < oldest]:
                del pending[key]
            if not pending:
                del self._pending[name]

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
