"""Choose where a new share goes: filter the pools, weigh the survivors, keep the best."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from abaca.common.types import Candidate, RequestSpec, ShareGroupSpec, extend_key
from abaca.scheduler import plugins, request
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.filters.share_group import in_group_host
from abaca.scheduler.host_state import PoolState
from abaca.scheduler.weighers.base import BaseWeigher, weigh_pools

LOG = logging.getLogger(__name__)


def _consume_only(pool: PoolState, size_gb: float, key: str) -> None:
    pool.consume(size_gb)


class FilterScheduler:
    def __init__(self, conf: Any,
                 consume: Callable[[PoolState, float, str], None] = _consume_only) -> None:
        """``consume(pool, GiB, key)`` counts a placement against a pool (the
        HostManager's keeps counting it until the share service reports it done)."""
        self.conf = conf
        self._consume = consume
        self.filters: list[BaseFilter] = plugins.load(
            plugins.FILTERS_NAMESPACE, conf.scheduler.default_filters, BaseFilter,
            "default_filters")
        self.extend_filters: list[BaseFilter] = plugins.load(
            plugins.FILTERS_NAMESPACE, conf.scheduler.default_extend_filters, BaseFilter,
            "default_extend_filters")
        self.group_filters: list[BaseFilter] = plugins.load(
            plugins.FILTERS_NAMESPACE, conf.scheduler.default_share_group_filters, BaseFilter,
            "default_share_group_filters")
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
        spec = with_derived_hints(spec, pools)
        with self._lock:
            passed = [pool for pool in pools if in_group_host(pool, spec)
                      and self._passes(self.filters, pool, spec)]
            if not passed:
                LOG.debug("share %s: no pool of %d passed the filters", spec.share_id,
                          len(pools))
                return []
            weighed = weigh_pools(self.weighers, passed, spec, self.conf)
            chosen = weighed[:self.conf.scheduler.max_candidates]
            self._consume(chosen[0].pool, spec.size, spec.instance_id)
        candidates = [Candidate(host=wp.pool.name, weight=wp.weight) for wp in chosen]
        LOG.debug("share %s (%s GiB): candidates %s", spec.share_id, spec.size,
                  ", ".join(f"{c.host} ({c.weight:.3f})" for c in candidates))
        return candidates

    def schedule_group(self, group: ShareGroupSpec,
                       pools: Sequence[PoolState]) -> list[Candidate]:
        """Candidate pools for a new share group, best first; empty when none fits.

        A pool fits when it passes ``default_share_group_filters`` and, for every share
        type of the group, ``default_filters`` for an empty share of that type: every
        share the group may hold could then be created there. Nothing is consumed (a
        group holds no space of its own).
        """
        hints: dict[str, str] = {}
        if group.group_specs.get(request.CONSISTENT_SNAPSHOT_SUPPORT):
            hints[request.CONSISTENT_SNAPSHOT_SUPPORT] = \
                group.group_specs[request.CONSISTENT_SNAPSHOT_SUPPORT]
        specs = [RequestSpec(share_id=group.share_group_id, instance_id="",
                             project_id=group.project_id, size=0, share_proto="",
                             share_type=st, availability_zone=group.availability_zone,
                             scheduler_hints=hints)
                 for st in group.share_types or (None,)]
        with self._lock:
            passed = [pool for pool in pools
                      if all(self._passes(self.group_filters, pool, s)
                             and self._passes(self.filters, pool, s) for s in specs)]
            if not passed:
                return []
            weighed = weigh_pools(self.weighers, passed, specs[0], self.conf)
        return [Candidate(host=wp.pool.name, weight=wp.weight)
                for wp in weighed[:self.conf.scheduler.max_candidates]]

    def check_extend(self, pool_name: str, size_increase: int, pools: Sequence[PoolState],
                     spec: RequestSpec | None = None) -> bool:
        """May a share on ``pool_name`` grow by ``size_increase`` GiB where it is?

        The pool must pass ``default_extend_filters`` with the extend reserve; on
        success the increase is counted against the pool at once. ``spec`` (optional)
        gives the share type and share for the filters; an unknown pool (not reported,
        or aged out) cannot be checked and fails. No increase needs no room.
        """
        if size_increase <= 0:
            return True  # nothing to make room for
        base = spec or RequestSpec(share_id="", instance_id="", project_id="", size=0,
                                   share_proto="", share_type=None)
        extend = dataclasses.replace(base, size=size_increase, operation=request.EXTEND)
        with self._lock:
            pool = next((p for p in pools if p.name == pool_name), None)
            if pool is None:
                LOG.info("extend on %s: the pool is unknown or has stopped reporting",
                         pool_name)
                return False
            if not self._passes(self.extend_filters, pool, extend):
                LOG.info("extend on %s by %s GiB: the pool has no room", pool_name,
                         size_increase)
                return False
            self._consume(pool, size_increase,
                          extend_key(extend.instance_id) if extend.instance_id else "")
        return True

    def _passes(self, filters: Sequence[BaseFilter], pool: PoolState,
                spec: RequestSpec) -> bool:
        for fltr in filters:
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


def with_derived_hints(spec: RequestSpec, pools: Sequence[PoolState]) -> RequestSpec:
    """``spec`` with the hints the scheduler derives from its own view of the pools.

    The snapshot's (and the active replica's) replication domain and zone are read from
    the pool reports, so that filters stay pure. Whatever a caller sent under these
    keys is discarded: it could otherwise steer a share past CreateFromSnapshotFilter.
    """
    given = request.hints_of(spec)
    hints = {k: v for k, v in given.items() if k not in request.SCHEDULER_DERIVED}
    if request.operation_of(spec) == request.CREATE_FROM_SNAPSHOT and spec.snapshot_host:
        found = _pool_of(spec.snapshot_host, pools)
        if found is not None:
            _set(hints, request.SNAPSHOT_REPLICATION_DOMAIN, found.replication_domain)
            _set(hints, request.SNAPSHOT_AVAILABILITY_ZONE, found.availability_zone)
    active = request.hint(spec, request.ACTIVE_REPLICA_HOST)
    if active:
        found = _pool_of(active, pools)
        if found is not None:
            _set(hints, request.ACTIVE_REPLICA_REPLICATION_DOMAIN, found.replication_domain)
    if hints == given:
        return spec
    return dataclasses.replace(spec, scheduler_hints=hints)


def _pool_of(host: str, pools: Sequence[PoolState]) -> PoolState | None:
    """The pool ``host@backend#pool``, or for ``host@backend`` any pool of the backend."""
    host = host.strip()
    backend = request.backend_of(host)
    same_backend = None
    for pool in pools:
        if pool.name == host:
            return pool
        if same_backend is None and pool.service_host == backend:
            same_backend = pool
    return same_backend


def _set(hints: dict[str, str], key: str, value: str | None) -> None:
    if value is not None:
        hints[key] = value
