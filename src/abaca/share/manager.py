"""The share manager of one backend (host@backend): thin RPC endpoints over the flows."""

from __future__ import annotations

import logging
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

    def init_host(self) -> None:
        self.driver.do_setup()
        self._ensure_shares()

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

    @periodic_task()
    def report_driver_status(self, ctxt: RequestContext) -> None:
        stats = self.driver.get_stats()
        pools = stats.pool_capabilities()
        reserved = self.backend.config.options.reserved_share_percentage
        for pool in pools:
            pool["availability_zone"] = self.backend.config.availability_zone
            pool["reserved_percentage"] = max(pool.get("reserved_percentage", 0), reserved)
        self.scheduler_rpc.update_service_capabilities(ctxt, self.host, pools)

    # RPC endpoints -------------------------------------------------------------------

    def publish_service_capabilities(self, ctxt: RequestContext) -> None:
        self.report_driver_status(ctxt)

    def create_share_instance(self, ctxt: RequestContext, request_spec: dict[str, Any],
                              candidates: list[dict[str, Any]]) -> None:
        flows.create_share.run(self, ctxt, RequestSpec.from_dict(request_spec), candidates)

    def delete_share_instance(self, ctxt: RequestContext, instance_id: str) -> None:
        flows.delete_share.run(self, ctxt, instance_id)
