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
from abaca.common.types import RequestSpec, extend_key
from abaca.db.models import ShareInstance
from abaca.db.session import Database
from abaca.scheduler.rpcapi import SchedulerAPI
from abaca.share import flows
from abaca.share.backend import Backend
from abaca.share.flows import share_groups as group_flows
from abaca.share.flows import share_servers as server_flows
from abaca.share.reconcile.reconciler import Reconciler
from abaca.share.rpcapi import ShareAPI

LOG = logging.getLogger(__name__)


class ShareManager(Manager):
    # 1.1: delete_share_server, manage_share_server, unmanage_share_server
    # 1.2: update_snapshot_access
    target = oslo_messaging.Target(version="1.2")

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
        # share servers: get-or-create, address allocation and delete, one at a time
        self.server_lock = threading.RLock()
        self._replica_update: dict[str, float] = {}
        self.reconciler = Reconciler(self)
        # creates and extends over since the last pool report (see report_driver_status)
        self._finished: set[str] = set()
        self._finished_lock = threading.Lock()

    @contextmanager
    def reported_when_over(self, key: str) -> Iterator[None]:
        """Name operation ``key`` in the next pool report once it is over, however it
        ends: the schedulers count its room until a report reflects it ("" for none)."""
        try:
            yield
        finally:
            if key:
                with self._finished_lock:
                    self._finished.add(key)

    @contextmanager
    def instance_lock(self, instance_id: str) -> Iterator[None]:
        """Serialise the work on one share instance within this service."""
        with self._locks_guard:
            lock = self._locks.setdefault(instance_id, threading.Lock())
        with lock:
            yield

    @contextmanager
    def try_lock(self, key: str) -> Iterator[bool]:
        """The lock of ``instance_lock`` if it is free (True), else False at once: the
        reconciler leaves alone what a flow works on."""
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.Lock())
        got = lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()

    def init_host(self) -> None:
        self.driver.do_setup()
        self.backend.compute.setup()
        if self.backend.config.driver_handles_share_servers:
            server_flows.restore_all(self)  # before their shares are ensured
        self._ensure_shares()
        self.reconciler.run(startup=True)  # what the previous process left in transit

    def cleanup_host(self) -> None:
        self.driver.shutdown()
        self.backend.compute.shutdown()

    def after_start(self) -> None:
        self.report_driver_status(RequestContext.admin())

    def _ensure_shares(self) -> None:
        """Serve again every available share this backend holds (after a restart), and
        a replica a promotion left half-done as the replica it still is (the reconciler
        promotes it again next)."""
        with self.db.read() as session:
            instances = list(session.scalars(select(ShareInstance).where(
                ShareInstance.host.like(f"{self.host}#%"), ShareInstance.deleted == "",
                ShareInstance.status.in_([ShareStatus.AVAILABLE,
                                          ShareStatus.REPLICATION_CHANGE]))))
        for inst in instances:
            if inst.replica_state in (None, "active"):
                flows.ensure_share.run(self, inst.id)
            else:  # a non-active replica serves its replica's rules
                flows.replicas.ensure(self, inst.id)
        LOG.info("%s: ensured %d shares", self.host, len(instances))

    @periodic_task()
    def cleanup_unused_share_servers(self, ctxt: RequestContext) -> None:
        """Delete share servers left without shares (automatic_share_server_cleanup)."""
        if self.backend.config.driver_handles_share_servers:
            for server_id in server_flows.cleanup_unused(self):
                LOG.info("%s: removed unused share server %s", self.host, server_id)

    @periodic_task(spacing=2)
    def resync_if_needed(self, ctxt: RequestContext) -> None:
        """After the backend lost state, serve every share again from the database."""
        if self.driver.needs_resync():
            LOG.warning("%s: the backend restarted a server; serving every share again",
                        self.host)
            self._ensure_shares()

    @periodic_task(spacing=1)
    def reconcile(self, ctxt: RequestContext) -> None:
        """Every [reconciler] interval: finish or fail what a lost message left in
        transit, re-apply stuck rules, remove orphans (share/reconcile/)."""
        if self.reconciler.due():
            self.reconciler.run()

    @periodic_task(spacing=1)
    def update_share_replicas(self, ctxt: RequestContext) -> None:
        """Refresh the replica_state of this backend's replicas (every
        replica_state_update_interval)."""
        flows.replicas.periodic_update(self, self._replica_update)

    @periodic_task()
    def report_driver_status(self, ctxt: RequestContext) -> None:
        # Taken before the driver's figures: whatever is named here, they reflect.
        with self._finished_lock:
            finished, self._finished = self._finished, set()
        try:
            self._report(ctxt, sorted(finished))
        except Exception:
            with self._finished_lock:  # the next report names them
                self._finished |= finished
            raise

    def _report(self, ctxt: RequestContext, finished: list[str]) -> None:
        stats = self.driver.get_stats()
        pools = stats.pool_capabilities()
        opts = self.backend.config.options
        reserved = opts.reserved_share_percentage
        for pool in pools:
            pool["availability_zone"] = self.backend.config.availability_zone
            pool["reserved_percentage"] = max(pool.get("reserved_percentage", 0), reserved)
            for key, option in (
                    ("reserved_snapshot_percentage", "reserved_share_from_snapshot_percentage"),
                    ("reserved_share_extend_percentage", "reserved_share_extend_percentage")):
                pool[key] = max(pool.get(key, 0), opts[option])
            group_flows.add_group_capabilities(self.driver, pool)
            for key in ("filter_function", "goodness_function"):
                if opts[key]:
                    pool[key] = opts[key]
        self.scheduler_rpc.update_service_capabilities(ctxt, self.host, pools, finished)

    # RPC endpoints -------------------------------------------------------------------

    def publish_service_capabilities(self, ctxt: RequestContext) -> None:
        self.report_driver_status(ctxt)

    def delete_share_server(self, ctxt: RequestContext, share_server_id: str) -> None:
        server_flows.delete(self, share_server_id)

    def manage_share_server(self, ctxt: RequestContext, share_server_id: str) -> None:
        server_flows.manage(self, share_server_id)

    def unmanage_share_server(self, ctxt: RequestContext, share_server_id: str,
                              force: bool = False) -> None:
        server_flows.unmanage(self, share_server_id, force=force)

    def create_share_instance(self, ctxt: RequestContext, request_spec: dict[str, Any],
                              candidates: list[dict[str, Any]]) -> None:
        spec = RequestSpec.from_dict(request_spec)
        with self.reported_when_over(spec.instance_id), \
                self.instance_lock(spec.instance_id):  # the reconciler's too
            flows.create_share.run(self, ctxt, spec, candidates)

    def delete_share_instance(self, ctxt: RequestContext, instance_id: str) -> None:
        with self.instance_lock(instance_id):
            flows.delete_share.run(self, ctxt, instance_id)

    def update_access(self, ctxt: RequestContext, instance_id: str) -> None:
        replicas = flows.replicas.mark_replicas_syncing(self, instance_id)
        try:
            flows.access.run(self, ctxt, instance_id)
        finally:  # the replicas follow the rules as they now are, whatever happened here
            flows.replicas.push_access(self, ctxt, replicas)

    def create_snapshot(self, ctxt: RequestContext, snapshot_id: str) -> None:
        with self.instance_lock(snapshot_id):
            flows.snapshots.create(self, ctxt, snapshot_id)

    def delete_snapshot(self, ctxt: RequestContext, snapshot_id: str) -> None:
        with self.instance_lock(snapshot_id):
            flows.snapshots.delete(self, ctxt, snapshot_id)

    def manage_snapshot(self, ctxt: RequestContext, snapshot_id: str,
                        driver_options: dict[str, Any]) -> None:
        with self.instance_lock(snapshot_id):
            flows.snapshots.manage(self, ctxt, snapshot_id, driver_options)

    def unmanage_snapshot(self, ctxt: RequestContext, snapshot_id: str) -> None:
        with self.instance_lock(snapshot_id):
            flows.snapshots.unmanage(self, ctxt, snapshot_id)

    def update_snapshot_access(self, ctxt: RequestContext, snapshot_id: str) -> None:
        flows.snapshot_access.update_access(self, ctxt, snapshot_id)

    def revert_to_snapshot(self, ctxt: RequestContext, instance_id: str,
                           snapshot_id: str) -> None:
        with self.instance_lock(instance_id):
            flows.revert.run(self, ctxt, instance_id, snapshot_id)

    def resize_share(self, ctxt: RequestContext, instance_id: str, new_size: int) -> None:
        with self.reported_when_over(extend_key(instance_id)), self.instance_lock(instance_id):
            flows.resize.run(self, ctxt, instance_id, new_size)

    def manage_share(self, ctxt: RequestContext, instance_id: str, export_path: str,
                     driver_options: dict[str, Any]) -> None:
        with self.instance_lock(instance_id):
            flows.manage.manage(self, ctxt, instance_id, export_path, driver_options)

    def unmanage_share(self, ctxt: RequestContext, instance_id: str) -> None:
        with self.instance_lock(instance_id):
            flows.manage.unmanage(self, ctxt, instance_id)

    # share groups ----------------------------------------------------------------------

    def create_share_group(self, ctxt: RequestContext, group_id: str,
                           candidates: list[dict[str, Any]]) -> None:
        with self.instance_lock(group_id):
            group_flows.create(self, ctxt, group_id, candidates)

    def delete_share_group(self, ctxt: RequestContext, group_id: str) -> None:
        with self.instance_lock(group_id):
            group_flows.delete(self, ctxt, group_id)

    def create_share_group_snapshot(self, ctxt: RequestContext, snapshot_id: str) -> None:
        with self.instance_lock(snapshot_id):
            group_flows.create_snapshot(self, ctxt, snapshot_id)

    def delete_share_group_snapshot(self, ctxt: RequestContext, snapshot_id: str) -> None:
        with self.instance_lock(snapshot_id):
            group_flows.delete_snapshot(self, ctxt, snapshot_id)

    # share replicas --------------------------------------------------------------------

    def create_share_replica(self, ctxt: RequestContext, request_spec: dict[str, Any],
                             candidates: list[dict[str, Any]]) -> None:
        spec = RequestSpec.from_dict(request_spec)
        with self.reported_when_over(spec.instance_id):
            flows.replicas.create(self, ctxt, spec, candidates)

    def delete_share_replica(self, ctxt: RequestContext, replica_id: str,
                             force: bool = False) -> None:
        with self.instance_lock(replica_id):
            flows.replicas.delete(self, ctxt, replica_id, force)

    def promote_share_replica(self, ctxt: RequestContext, replica_id: str) -> None:
        with self.instance_lock(replica_id):
            flows.replicas.promote(self, ctxt, replica_id)

    def update_share_replica(self, ctxt: RequestContext, replica_id: str) -> None:
        with self.instance_lock(replica_id):
            flows.replicas.update(self, ctxt, replica_id)

    def update_replica_access(self, ctxt: RequestContext, replica_id: str) -> None:
        with self.instance_lock(replica_id):
            flows.replicas.sync_access(self, ctxt, replica_id)
