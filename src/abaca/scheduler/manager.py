"""The scheduler's RPC endpoints: place new shares, check extends, take pool reports,
list pools."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import oslo_messaging

from abaca.common.context import RequestContext
from abaca.common.errors import Invalid, NotFound
from abaca.common.manager import Manager, periodic_task
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareStatus
from abaca.common.types import Candidate, RequestSpec, ShareGroupSpec
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import services as services_repo
from abaca.db.repositories import share_groups as share_groups_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.session import Database
from abaca.scheduler import extra_specs_ops
from abaca.scheduler.filter_scheduler import FilterScheduler
from abaca.scheduler.host_manager import HostManager
from abaca.scheduler.host_state import PoolState
from abaca.services import quotas
from abaca.share.flows import share_group_recovery
from abaca.share.reconcile import timeouts
from abaca.share.rpcapi import ShareAPI

LOG = logging.getLogger(__name__)

SHARE_BINARY = "abaca-share"
POOL_NAME_FILTERS = ("host", "backend", "pool")


class SchedulerManager(Manager):
    # 1.1: check_extend, create_share_replica; 1.2: update_service_capabilities(finished)
    target = oslo_messaging.Target(version="1.2")

    def __init__(self, host: str, conf: Any, db: Database,
                 transport: oslo_messaging.Transport) -> None:
        super().__init__(host, conf)
        self.db = db
        self.transport = transport
        # a placement no report has confirmed is forgotten when its request would have
        # timed out anyway
        self.host_manager = HostManager(pending_max_age=conf.reconciler.request_timeout)
        self.scheduler = FilterScheduler(conf, consume=self.host_manager.consume)
        self.share_rpc = ShareAPI(transport)

    def after_start(self) -> None:
        # Our view of the pools is empty after a (re)start; without this the first
        # requests would fail until every share service's next periodic report.
        try:
            self.share_rpc.publish_service_capabilities(RequestContext.admin())
        except Exception:
            LOG.exception("could not ask the share services to report their pools")

    @periodic_task(spacing=5)
    def fail_lost_requests(self, ctxt: RequestContext) -> None:
        """Creates that no share service took up within [reconciler] request_timeout
        go to error with a user message (share/reconcile/timeouts.py)."""
        timeouts.fail_lost_creates(self.db, self.conf, self.host)
        share_group_recovery.fail_lost_creates(self.db, self.conf)

    @periodic_task()
    def expire_quota_reservations(self, ctxt: RequestContext) -> None:
        """Roll back quota reservations older than [quota] reservation_expire (an
        operation whose share service never finished it), as Manila's scheduler does."""
        with self.db.write() as session:
            expired = quotas.expire_reservations(session)
        if expired:
            LOG.info("rolled back %d expired quota reservations", expired)

    # RPC endpoints -------------------------------------------------------------------

    def create_share_instance(self, ctxt: RequestContext, request_spec: dict[str, Any]) -> None:
        """Choose candidate pools and hand the request to the first one's share service.

        Whatever goes wrong, the share ends in ``error`` with a user message rather than
        staying ``creating`` forever.
        """
        try:
            spec = RequestSpec.from_dict(request_spec)
        except Exception:
            LOG.exception("malformed request spec %r", request_spec)
            raw = request_spec if isinstance(request_spec, dict) else {}
            self._fail(ctxt, raw.get("instance_id"), raw.get("share_id"),
                       raw.get("project_id"), Detail.UNKNOWN_ERROR)
            return
        try:
            candidates = self.scheduler.schedule(spec, self._usable_pools())
            if not candidates:
                LOG.info("share %s: no valid host for %s GiB of type %s", spec.share_id,
                         spec.size, spec.share_type.name if spec.share_type else None)
                self._fail(ctxt, spec.instance_id, spec.share_id, spec.project_id,
                           Detail.NO_VALID_HOST)
                return
            self.share_rpc.create_share_instance(
                ctxt, candidates[0].service_host, spec, [_candidate_dict(c) for c in candidates])
        except Exception:
            LOG.exception("share %s: scheduling failed", spec.share_id)
            self._fail(ctxt, spec.instance_id, spec.share_id, spec.project_id,
                       Detail.UNKNOWN_ERROR)
            return
        LOG.debug("share %s sent to %s", spec.share_id, candidates[0].service_host)

    def create_share_replica(self, ctxt: RequestContext, request_spec: dict[str, Any]) -> None:
        """Choose pools for a new share replica and hand it to the best one's share
        service; no pool means the replica goes to ``error`` with a user message."""
        spec = RequestSpec.from_dict(request_spec)
        try:
            candidates = self.scheduler.schedule(spec, self._usable_pools())
            if candidates:
                self.share_rpc.create_share_replica(
                    ctxt, candidates[0].service_host, spec,
                    [_candidate_dict(c) for c in candidates])
                return
            LOG.info("share %s: no valid host for a new replica", spec.share_id)
            detail = Detail.NO_REPLICATION_HOST
        except Exception:
            LOG.exception("share %s: scheduling a replica failed", spec.share_id)
            detail = Detail.UNKNOWN_ERROR
        self._fail(ctxt, spec.instance_id, spec.share_id, spec.project_id, detail,
                   resource_type="SHARE_REPLICA")

    def create_share_group(self, ctxt: RequestContext, group_spec: dict[str, Any]) -> None:
        """Choose pools for a new share group and hand it to the best one's share
        service; no pool means the group goes to ``error`` with a user message."""
        try:
            spec = ShareGroupSpec.from_dict(group_spec)
            candidates = self.scheduler.schedule_group(spec, self._usable_pools())
            if candidates:
                self.share_rpc.create_share_group(
                    ctxt, candidates[0].service_host, spec.share_group_id,
                    [_candidate_dict(c) for c in candidates])
                return
            LOG.info("share group %s: no valid host", spec.share_group_id)
            detail = Detail.NO_VALID_HOST_FOR_GROUP
        except Exception:
            LOG.exception("share group: scheduling %r failed", group_spec)
            detail = Detail.UNKNOWN_ERROR
        raw = group_spec if isinstance(group_spec, dict) else {}
        share_groups_repo.fail_group(self.db, ctxt, raw.get("share_group_id"),
                                     Action.CREATE_SHARE_GROUP, detail)

    def check_extend(self, ctxt: RequestContext, host: str, size_increase: int,
                     request_spec: dict[str, Any] | None = None) -> bool:
        """May the share on pool ``host`` (``host@backend#pool``) grow by ``size_increase``
        GiB? On True the increase is already counted against the pool.

        ``request_spec`` (optional) carries the share type for thin provisioning and the
        share for the pool's ``filter_function``.
        """
        if isinstance(size_increase, bool) or not isinstance(size_increase, int):
            raise Invalid(f"size_increase must be an integer, not {size_increase!r}")
        spec = RequestSpec.from_dict(request_spec) if request_spec else None
        ok = self.scheduler.check_extend(host, size_increase, self._usable_pools(), spec)
        LOG.info("extend by %s GiB on %s: %s", size_increase, host,
                 "room reserved" if ok else "no room")
        return ok

    def extend_share(self, ctxt: RequestContext, instance_id: str, host: str, new_size: int,
                     size_increase: int, request_spec: dict[str, Any] | None = None) -> None:
        """Grow a share where it is if its pool has room; else back to ``available``
        with a user message. Never leaves the share ``extending`` on a refusal."""
        try:
            ok = self.check_extend(ctxt, host, size_increase, request_spec)
        except Exception:
            LOG.exception("extend check of instance %s failed", instance_id)
            ok = False
        if ok:
            self.share_rpc.resize_share(ctxt, host.partition("#")[0], instance_id, new_size)
            return
        try:
            with self.db.write() as session:
                inst = shares_repo.get_instance(session, instance_id)
                if inst.status != ShareStatus.EXTENDING:
                    return
                shares_repo.set_status(inst, ShareStatus.AVAILABLE)
                quotas.rollback_origin(session, quotas.origin("share", inst.share_id,
                                                              "resize"))
                messages_repo.create(session, project_id=inst.share.project_id,
                                     resource_type="SHARE", resource_id=inst.share_id,
                                     action=Action.EXTEND,
                                     detail=Detail.NO_ROOM_TO_EXTEND,
                                     request_id=ctxt.request_id)
        except NotFound:
            return

    def update_service_capabilities(self, ctxt: RequestContext, host: str,
                                    pools: list[dict[str, Any]],
                                    finished: list[str] | None = None) -> None:
        """A share service's pool report; ``finished`` names the creates and extends it
        has finished (or given up, or handed on) since its last report."""
        self.host_manager.update_service_capabilities(host, pools, finished or ())

    def get_pools(self, ctxt: RequestContext,
                  filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Usable pools as ``{"name", "host", "backend", "pool", "capabilities"}``.

        ``filters``: ``host``, ``backend``, ``pool`` are regular expressions the whole
        part must match; ``capabilities`` maps capability names to extra-spec style
        requirements. An unknown key or a bad expression raises Invalid.
        """
        matches = _pool_matcher(filters or {})
        return [_pool_dict(pool) for pool in self._usable_pools() if matches(pool)]

    # helpers -------------------------------------------------------------------------

    def _usable_pools(self) -> list[PoolState]:
        down_time = self.conf.service_down_time
        with self.db.read() as session:
            usable = services_repo.usable_hosts(session, SHARE_BINARY, down_time)
        return self.host_manager.pools(usable, max_age=down_time)

    def _fail(self, ctxt: RequestContext, instance_id: str | None, share_id: str | None,
              project_id: str | None, detail: Detail, resource_type: str = "SHARE") -> None:
        """Put the instance in error and tell its owner why; never raises."""
        if not instance_id:
            LOG.error("cannot mark a share failed: the request names no instance")
            return
        try:
            with self.db.write() as session:
                try:
                    inst = shares_repo.get_instance(session, instance_id)
                except NotFound:
                    LOG.info("share instance %s is gone; nothing to fail", instance_id)
                    return
                if inst.status not in (ShareStatus.CREATING,
                                       ShareStatus.CREATING_FROM_SNAPSHOT):
                    LOG.info("share instance %s is %s; leaving it", instance_id, inst.status)
                    return
                shares_repo.set_status(inst, ShareStatus.ERROR)
                if inst.replica_state is not None and inst.replica_state != "active":
                    inst.replica_state = "error"
                messages_repo.create(session, project_id=project_id or inst.share.project_id,
                                     resource_type=resource_type,
                                     resource_id=(inst.id if resource_type == "SHARE_REPLICA"
                                                  else share_id or inst.share_id),
                                     action=Action.ALLOCATE_HOST, detail=detail,
                                     request_id=ctxt.request_id)
        except Exception:
            LOG.exception("could not put share instance %s in error", instance_id)


def _candidate_dict(candidate: Candidate) -> dict[str, Any]:
    return {"host": candidate.host, "weight": candidate.weight}


def _pool_dict(pool: PoolState) -> dict[str, Any]:
    hostname, _, backend = pool.service_host.partition("@")
    return {"name": pool.name, "host": hostname, "backend": backend, "pool": pool.pool_name,
            "capabilities": dict(pool.capabilities)}


def _pool_matcher(filters: dict[str, Any]) -> Callable[[PoolState], bool]:
    unknown = set(filters) - {*POOL_NAME_FILTERS, "capabilities"}
    if unknown:
        raise Invalid(f"unknown pool filters: {', '.join(sorted(unknown))}")
    patterns: dict[str, re.Pattern[str]] = {}
    for key in POOL_NAME_FILTERS:
        if filters.get(key) is None:
            continue
        try:
            patterns[key] = re.compile(str(filters[key]))
        except re.error as exc:
            raise Invalid(f"pool filter {key}: invalid regular expression: {exc}") from exc
    wanted_caps = filters.get("capabilities") or {}
    if not isinstance(wanted_caps, dict):
        raise Invalid("pool filter capabilities must be a mapping")

    def matches(pool: PoolState) -> bool:
        parts = _pool_dict(pool)
        if any(not p.fullmatch(parts[key]) for key, p in patterns.items()):
            return False
        return all(name in pool.capabilities
                   and extra_specs_ops.match(pool.capabilities[name], str(value))
                   for name, value in wanted_caps.items())

    return matches


