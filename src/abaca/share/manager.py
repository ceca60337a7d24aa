"""The share manager of one backend (host@backend): thin RPC endpoints over the flows."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import oslo_messaging
from sqlalchemy import select

from abaca.common.context import RequestContext
from abaca.common.manager import Manager, periodic_task
from abaca.common.states import ShareStatus
from abaca.common.types import RequestSpec
from abaca.db.models import ShareInstance
from abaca.db.session import Database
from abaca.scheduler.rpcapi import SchedulerAPI
from abaca.share import flows
from abaca.share.backend import Backend
from abaca.share.rpcapi import ShareAPI

LOG = logging.getLogger(__name__)


class ShareManager(Manager):
    def __init__(self, host: str, conf: Any, db: Database,
                 transport: oslo_messaging.Transport, backend: Backend) -> None:
        super().__init__(host, conf)
        self.db = db
        self.backend = backend
        self.driver = backend.storage
        self.scheduler_rpc = SchedulerAPI(transport)
        self.share_rpc = ShareAPI(transport)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @contextmanager
    def instance_lock(self, instance_id: str) -> Iterator[None]:
        """Serialise the work on one share instance within this service."""
        with self._locks_guard:
            lock = self._locks.setdefault(instance_id, threading.Lock())
        with lock:
            yield

    def init_host(self) -> None:
        self.driver.do_setup()
        self._ensure_shares()

    def cleanup_host(self) -> None:
        self.driver.shutdown()

    def after_start(self) -> None:
        self.report_driver_status(RequestContext.admin())

    def _ensure_shares(self) -> None:
        """Serve again every available share this backend holds (after a restart)."""
        with self.db.read() as session:
            instances = list(session.scalars(select(ShareInstance).where(
                ShareInstance.host.like(f"{self.host}#%"), ShareInstance.deleted == "",
                ShareInstance.status == ShareStatus.AVAILABLE)))
        for inst in instances:
            flows.ensure_share.run(self, inst.id)
        LOG.info("%s: ensured %d shares", self.host, len(instances))

    @periodic_task(spacing=2)
    def resync_if_needed(self, ctxt: RequestContext) -> None:
        """After the backend lost state, serve every share again from the database."""
        if self.driver.needs_resync():
            LOG.warning("%s: the backend restarted a server; serving every share again",
                        self.host)
            self._ensure_shares()

    @periodic_task()
    def report_driver_status(self, ctxt: RequestContext) -> None:
        stats = self.driver.get_stats()
        pools = stats.pool_capabilities()
        opts = self.backend.config.options
        reserved = opts.reserved_share_percentage
        for pool in pools:
            pool["availability_zone"] = self.backend.config.availability_zone
            pool["reserved_percentage"] = max(pool.get("reserved_percentage", 0), reserved)
            for key in ("filter_function", "goodness_function"):
                if opts[key]:
                    pool[key] = opts[key]
        self.scheduler_rpc.update_service_capabilities(ctxt, self.host, pools)

    # RPC endpoints -------------------------------------------------------------------

    def publish_service_capabilities(self, ctxt: RequestContext) -> None:
        self.report_driver_status(ctxt)

    def create_share_instance(self, ctxt: RequestContext, request_spec: dict[str, Any],
                              candidates: list[dict[str, Any]]) -> None:
        flows.create_share.run(self, ctxt, RequestSpec.from_dict(request_spec), candidates)

    def delete_share_instance(self, ctxt: RequestContext, instance_id: str) -> None:
        with self.instance_lock(instance_id):
            flows.delete_share.run(self, ctxt, instance_id)

    def update_access(self, ctxt: RequestContext, instance_id: str) -> None:
        flows.access.run(self, ctxt, instance_id)

    def create_snapshot(self, ctxt: RequestContext, snapshot_id: str) -> None:
        flows.snapshots.create(self, ctxt, snapshot_id)

    def delete_snapshot(self, ctxt: RequestContext, snapshot_id: str) -> None:
        flows.snapshots.delete(self, ctxt, snapshot_id)

    def manage_snapshot(self, ctxt: RequestContext, snapshot_id: str,
                        driver_options: dict[str, Any]) -> None:
        flows.snapshots.manage(self, ctxt, snapshot_id, driver_options)

    def unmanage_snapshot(self, ctxt: RequestContext, snapshot_id: str) -> None:
        flows.snapshots.unmanage(self, ctxt, snapshot_id)

    def revert_to_snapshot(self, ctxt: RequestContext, instance_id: str,
                           snapshot_id: str) -> None:
        with self.instance_lock(instance_id):
            flows.revert.run(self, ctxt, instance_id, snapshot_id)

    def resize_share(self, ctxt: RequestContext, instance_id: str, new_size: int) -> None:
        with self.instance_lock(instance_id):
            flows.resize.run(self, ctxt, instance_id, new_size)

    def manage_share(self, ctxt: RequestContext, instance_id: str, export_path: str,
                     driver_options: dict[str, Any]) -> None:
        flows.manage.manage(self, ctxt, instance_id, export_path, driver_options)

    def unmanage_share(self, ctxt: RequestContext, instance_id: str) -> None:
        with self.instance_lock(instance_id):
            flows.manage.unmanage(self, ctxt, instance_id)
