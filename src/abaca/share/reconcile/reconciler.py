"""A share service's reconciler: drive its backend's resources out of transitional states.

It runs once at start (before the service takes messages: everything in transit on this
backend was left by the previous process) and every ``[reconciler] interval``; then it
takes only what has not changed for ``stale_after`` seconds (its message was lost, or
the process that worked on it died) and that no flow of this process holds: each
resource is taken under the same per-resource lock as the flows (``try_lock``: one a
flow holds is skipped), and its status is read again under the lock. The operation is
redone through its own flow, whose driver calls are idempotent; what cannot be finished
ends in its error status with a user message (``common/recovery.py``). Every action is
recorded (``records.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from abaca.common.context import RequestContext
from abaca.common.errors import NotFound
from abaca.common.recovery import SHARE_RECOVERY, SNAPSHOT_RECOVERY, Plan, Recovery
from abaca.common.states import AccessState, ShareStatus, SnapshotStatus
from abaca.common.types import extend_key
from abaca.db.models import (
    Reservation,
    ShareAccessRule,
    ShareInstance,
    ShareSnapshot,
    ShareSnapshotAccessRule,
    utcnow,
)
from abaca.db.repositories import access as access_repo
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.services import quotas
from abaca.share import flows
from abaca.share.driver_api import SnapshotSupport
from abaca.share.flows import share_group_recovery
from abaca.share.flows import share_groups as group_flows
from abaca.share.flows.common import instance_in, save_exports, share_request
from abaca.share.reconcile import orphans
from abaca.share.reconcile.records import RULE_TRANSITIONAL, record

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
S = ShareStatus
N = SnapshotStatus
A = AccessState
CREATING = (S.CREATING, S.CREATING_FROM_SNAPSHOT)


@dataclass
class Summary:
    redone: int = 0
    failed: int = 0
    requeued: int = 0
    orphans_removed: int = 0
    left: list[str] = field(default_factory=list)  # skipped: a flow holds them
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, what: str, count: int = 1) -> None:
        """Count from any worker thread."""
        with self._lock:
            setattr(self, what, getattr(self, what) + count)

    @property
    def acted(self) -> int:
        return self.redone + self.failed + self.requeued + self.orphans_removed


class Reconciler:
    def __init__(self, mgr: ShareManager) -> None:
        self.mgr = mgr
        self.opts = mgr.conf.reconciler
        self.orphans = orphans.OrphanTracker()
        self.server_orphans = orphans.OrphanTracker()  # its own: check() prunes its keys
        self._last: float | None = None
        self._running = threading.Lock()  # one pass at a time

    def due(self) -> bool:
        return self._last is None or time.monotonic() - self._last >= self.opts.interval

    def run(self, *, startup: bool = False) -> Summary:
        with self._running:
            self._last = time.monotonic()
            return self._run(startup)

    def _run(self, startup: bool) -> Summary:
        summary = Summary()
        cutoff = None if startup else utcnow() - timedelta(seconds=self.opts.stale_after)
        # Resources are independent (each under its own lock): a few at a time, so
        # that a start after a crash with many operations in flight stays short.
        with ThreadPoolExecutor(self.opts.workers,
                                thread_name_prefix=f"reconcile-{self.mgr.host}") as pool:
            jobs = [pool.submit(self._locked, inst_id, summary, partial(
                self._share, inst_id, status, stamp, summary))
                for inst_id, status, stamp in self._instances(cutoff)]
            # snapshots after shares: a snapshot restoring waits for its share's revert
            wait(jobs)
            jobs = [pool.submit(self._locked, snap_id, summary, partial(
                self._snapshot, snap_id, status, stamp, summary))
                for snap_id, status, stamp in self._snapshots(cutoff)]
            wait(jobs)
            # after the shares: one this pass made available gets its rules now
            jobs = [pool.submit(self._rules, inst_id, summary)
                    for inst_id in self._instances_with_rules(cutoff)]
            jobs += [pool.submit(self._snapshot_rules, snap_id, summary)
                     for snap_id in self._snapshots_with_rules(cutoff)]
            wait(jobs)
        # groups after their shares and snapshots (a group from a group snapshot is
        # finished once its shares are)
        summary.redone += share_group_recovery.reconcile(self.mgr, cutoff)
        summary.orphans_removed += orphans.check(self.mgr, self.orphans,
                                                 self.opts.orphan_grace,
                                                 self.opts.remove_orphans)
        summary.orphans_removed += orphans.check_servers(self.mgr, self.server_orphans,
                                                         self.opts.orphan_grace,
                                                         self.opts.remove_orphans)
        if summary.acted or summary.left:
            LOG.info("%s: reconciled: %d redone, %d failed, %d rules requeued, %d orphans "
                     "removed, %d busy", self.mgr.host, summary.redone, summary.failed,
                     summary.requeued, summary.orphans_removed, len(summary.left))
        return summary

    def _locked(self, key: str, summary: Summary, work: Callable[[], None]) -> None:
        with self.mgr.try_lock(key) as got:
            if not got:
                summary.left.append(key)
                return
            try:
                work()
            except Exception:
                LOG.exception("%s: reconciling %s failed", self.mgr.host, key)

    # queries ---------------------------------------------------------------------------

    def _mine(self) -> Any:
        return ShareInstance.host.like(f"{self.mgr.host}#%")

    def _instances(self, cutoff: datetime | None) -> list[tuple[str, str, datetime]]:
        with self.mgr.db.read() as session:
            rows = session.execute(select(
                ShareInstance.id, ShareInstance.status, ShareInstance.updated_at,
                ShareInstance.created_at).where(
                self._mine(), ShareInstance.deleted == "",
                ShareInstance.status.in_(list(SHARE_RECOVERY))))
            return [(i, s, u or c) for i, s, u, c in rows if _stale(u or c, cutoff)]

    def _snapshots(self, cutoff: datetime | None) -> list[tuple[str, str, datetime]]:
        with self.mgr.db.read() as session:
            rows = session.execute(select(
                ShareSnapshot.id, ShareSnapshot.status, ShareSnapshot.updated_at,
                ShareSnapshot.created_at).join(
                ShareInstance, ShareInstance.share_id == ShareSnapshot.share_id).where(
                self._mine(), ShareInstance.deleted == "", _active_replica(),
                ShareSnapshot.deleted == "",
                ShareSnapshot.status.in_(list(SNAPSHOT_RECOVERY))))
            return [(i, s, u or c) for i, s, u, c in rows if _stale(u or c, cutoff)]

    def _instances_with_rules(self, cutoff: datetime | None) -> list[str]:
        with self.mgr.db.read() as session:
            rows = session.execute(select(
                ShareInstance.id, ShareAccessRule.updated_at, ShareAccessRule.created_at).join(
                ShareAccessRule, ShareAccessRule.share_id == ShareInstance.share_id).where(
                self._mine(), ShareInstance.deleted == "", _active_replica(),
                ShareInstance.status == S.AVAILABLE, ShareAccessRule.deleted == "",
                ShareAccessRule.state.in_(list(RULE_TRANSITIONAL))))
            return sorted({i for i, u, c in rows if _stale(u or c, cutoff)})

    def _snapshots_with_rules(self, cutoff: datetime | None) -> list[str]:
        """Available snapshots (of this backend's shares) with rules in transit."""
        with self.mgr.db.read() as session:
            rows = session.execute(select(
                ShareSnapshot.id, ShareSnapshotAccessRule.updated_at,
                ShareSnapshotAccessRule.created_at).join(
                ShareSnapshotAccessRule,
                ShareSnapshotAccessRule.snapshot_id == ShareSnapshot.id).join(
                ShareInstance, ShareInstance.share_id == ShareSnapshot.share_id).where(
                self._mine(), ShareInstance.deleted == "", _active_replica(),
                ShareSnapshot.deleted == "", ShareSnapshot.status == N.AVAILABLE,
                ShareSnapshotAccessRule.deleted == "",
                ShareSnapshotAccessRule.state.in_(list(RULE_TRANSITIONAL))))
            return sorted({i for i, u, c in rows if _stale(u or c, cutoff)})

    # shares ----------------------------------------------------------------------------

    def _share(self, inst_id: str, status: str, stamp: datetime, summary: Summary) -> None:
        with self.mgr.db.read() as session:
            inst = instance_in(session, inst_id, status)
            if inst is None or (inst.updated_at or inst.created_at) != stamp:
                return  # a flow moved it since we looked
            share_id = inst.share_id
            replica = inst.replica_state not in (None, "active")
            target = _resize_target(session, inst) if status in (S.EXTENDING,
                                                                S.SHRINKING) else None
            restoring = _restoring_snapshot(session, share_id) if status == S.REVERTING \
                else None
        plan = SHARE_RECOVERY[status]
        ctxt = RequestContext.admin()
        redo: Callable[[], None] | None = None
        # a replica's own create is not redone (its active side may have moved on); its
        # promotion is
        if plan.recovery is Recovery.REDO and (not replica or status == S.REPLICATION_CHANGE):
            if status in CREATING:
                redo = lambda: self._create(inst_id)  # noqa: E731
            elif status == S.DELETING:
                redo = lambda: flows.delete_share.run(self.mgr, ctxt, inst_id)  # noqa: E731
            elif status in (S.EXTENDING, S.SHRINKING) and target is not None:
                redo = lambda: flows.resize.run(self.mgr, ctxt, inst_id, target)  # noqa: E731
            elif status == S.REVERTING and restoring is not None:
                redo = lambda: flows.revert.run(self.mgr, ctxt, inst_id,  # noqa: E731
                                                restoring)
            elif status == S.UNMANAGE_STARTING:
                redo = lambda: flows.manage.unmanage(self.mgr, ctxt, inst_id)  # noqa: E731
            elif status == S.REPLICATION_CHANGE:
                redo = lambda: flows.replicas.promote(self.mgr, ctxt, inst_id)  # noqa: E731
        # the schedulers count a create's or extend's room until a report says it is over
        with self.mgr.reported_when_over(_capacity_key(status, inst_id)):
            if redo is not None:
                LOG.info("%s: share %s was left %s: doing it again", self.mgr.host, share_id,
                         status)
                try:
                    redo()
                except Exception:
                    LOG.exception("%s: redoing %s of share %s failed", self.mgr.host, status,
                                  share_id)
                after = self._share_status(inst_id)
                if after != status:
                    with self.mgr.db.write() as session:
                        record(session, host=self.mgr.host, resource_type="share",
                               resource_id=share_id, from_status=status, to_status=after,
                               action="redo")
                    summary.add("redone")
                    return
            self._fail_share(inst_id, status, plan)
            summary.add("failed")

    def _share_status(self, inst_id: str) -> str:
        with self.mgr.db.read() as session:
            try:
                return shares_repo.get_instance(session, inst_id).status
            except NotFound:
                return S.DELETED

    def _create(self, inst_id: str) -> None:
        """Create the share again on the pool its instance names (idempotent driver
        calls: an existing share or clone is success)."""
        with self.mgr.db.read() as session:
            inst = instance_in(session, inst_id, *CREATING)
            if inst is None:
                return
            request = share_request(self.mgr.conf, inst)
            source = inst.share.snapshot_id
            member = inst.share.source_share_group_snapshot_member_id
            snap_request = (flows.snapshots.snapshot_request(
                self.mgr, session, snapshots_repo.get(session, source)) if source
                else group_flows.member_snapshot_request(self.mgr, session, member)
                if member else None)
        driver = self.mgr.driver
        if snap_request is None:
            result = driver.create_share(request)
        elif isinstance(driver, SnapshotSupport):
            result = driver.create_share_from_snapshot(request, snap_request)
        else:
            raise NotFound("This backend cannot create shares from snapshots.")
        with self.mgr.db.write() as session:
            found = instance_in(session, inst_id, *CREATING)
            if found is None:
                return
            save_exports(session, found, result)
            shares_repo.set_status(found, S.AVAILABLE)
            found.launched_at = utcnow()
            found.progress = "100%"

    def _fail_share(self, inst_id: str, status: str, plan: Plan) -> None:
        with self.mgr.db.write() as session:
            inst = instance_in(session, inst_id, status)
            if inst is None:
                return
            share_id = inst.share_id
            if status in (S.EXTENDING, S.SHRINKING):
                quotas.rollback_origin(session, quotas.origin("share", share_id, "resize"))
            elif status == S.DELETING:
                quotas.rollback_origin(session, quotas.origin("share", share_id, "delete"))
            elif status == S.REVERTING:
                for snap in snapshots_repo.of_share(session, share_id):
                    if snap.status == N.RESTORING:
                        snapshots_repo.set_status(snap, N.AVAILABLE)
            shares_repo.set_status(inst, plan.failed)
            # a promotion's message is about the replica, as the flow's own
            promoting = status == S.REPLICATION_CHANGE
            messages_repo.create(session, project_id=inst.share.project_id,
                                 resource_type="SHARE_REPLICA" if promoting else "SHARE",
                                 resource_id=inst_id if promoting else share_id,
                                 action=plan.action, detail=plan.detail)
            record(session, host=self.mgr.host, resource_type="share", resource_id=share_id,
                   from_status=status, to_status=plan.failed, action="fail",
                   detail=plan.detail.text)
        LOG.warning("%s: share %s was left %s: now %s", self.mgr.host, share_id, status,
                    plan.failed)

    # snapshots -------------------------------------------------------------------------

    def _snapshot(self, snap_id: str, status: str, stamp: datetime, summary: Summary) -> None:
        with self.mgr.db.read() as session:
            try:
                snap = snapshots_repo.get(session, snap_id)
            except NotFound:
                return
            if snap.status != status or (snap.updated_at or snap.created_at) != stamp:
                return
            share = shares_repo.get_share(session, snap.share_id)
            share_reverting = share.instance.status == S.REVERTING
        plan = SNAPSHOT_RECOVERY[status]
        ctxt = RequestContext.admin()
        if status == N.RESTORING:
            if share_reverting:
                return  # finished with its share
            self._set_snapshot(snap_id, status, N.AVAILABLE, None)
            summary.add("redone")
            return
        redo: Callable[[], None] | None = None
        if plan.recovery is Recovery.REDO:
            redo = {N.CREATING: lambda: flows.snapshots.create(self.mgr, ctxt, snap_id),
                    N.DELETING: lambda: flows.snapshots.delete(self.mgr, ctxt, snap_id),
                    N.UNMANAGE_STARTING: lambda: flows.snapshots.unmanage(
                        self.mgr, ctxt, snap_id)}.get(N(status))
        if redo is not None:
            try:
                redo()
            except Exception:
                LOG.exception("%s: redoing %s of snapshot %s failed", self.mgr.host, status,
                              snap_id)
            after = self._snapshot_status(snap_id)
            if after != status:
                with self.mgr.db.write() as session:
                    record(session, host=self.mgr.host, resource_type="snapshot",
                           resource_id=snap_id, from_status=status, to_status=after,
                           action="redo")
                summary.add("redone")
                return
        self._set_snapshot(snap_id, status, plan.failed, plan)
        summary.add("failed")

    def _snapshot_status(self, snap_id: str) -> str:
        with self.mgr.db.read() as session:
            try:
                return snapshots_repo.get(session, snap_id).status
            except NotFound:
                return N.DELETED

    def _set_snapshot(self, snap_id: str, status: str, new: str, plan: Plan | None) -> None:
        with self.mgr.db.write() as session:
            snap = snapshots_repo.get(session, snap_id)
            if snap.status != status:
                return
            if status == N.DELETING:
                quotas.rollback_origin(session, quotas.origin("snapshot", snap_id, "delete"))
            elif status == N.UNMANAGE_STARTING:
                quotas.rollback_origin(session,
                                       quotas.origin("snapshot", snap_id, "unmanage"))
            snapshots_repo.set_status(snap, new)
            if plan is not None:
                messages_repo.create(session, project_id=snap.project_id,
                                     resource_type="SNAPSHOT", resource_id=snap_id,
                                     action=plan.action, detail=plan.detail)
            record(session, host=self.mgr.host, resource_type="snapshot",
                   resource_id=snap_id, from_status=status, to_status=new,
                   action="fail" if plan is not None else "redo",
                   detail=plan.detail.text if plan is not None else None)

    # access rules ----------------------------------------------------------------------

    def _rules(self, inst_id: str, summary: Summary) -> None:
        """Rules of an available share left applying or denying go back to their queue;
        then the share's batch runs (which also takes rules whose message was lost)."""
        with self.mgr.try_lock(inst_id) as got:
            if not got:
                summary.left.append(inst_id)
                return
            with self.mgr.db.write() as session:
                inst = instance_in(session, inst_id, S.AVAILABLE)
                if inst is None:
                    return
                for rule in access_repo.rules_of(session, inst.share_id):
                    back = _requeue(rule)
                    if back is not None:
                        record(session, host=self.mgr.host, resource_type="access_rule",
                               resource_id=rule.id, from_status=rule.state, to_status=back,
                               action="requeue")
                        access_repo.set_state(rule, back)
                        summary.add("requeued")
        try:
            flows.access.run(self.mgr, RequestContext.admin(), inst_id)
        except Exception:
            LOG.exception("%s: applying the rules of instance %s again failed",
                          self.mgr.host, inst_id)

    def _snapshot_rules(self, snap_id: str, summary: Summary) -> None:
        """The same for a mountable snapshot's (read-only) rules, under the lock its
        access flow takes."""
        with self.mgr.try_lock(f"snapshot-{snap_id}") as got:
            if not got:
                summary.left.append(snap_id)
                return
            with self.mgr.db.write() as session:
                for rule in snapshots_repo.access_rules(session, snap_id):
                    back = _requeue(rule)
                    if back is not None:
                        record(session, host=self.mgr.host,
                               resource_type="snapshot_access_rule", resource_id=rule.id,
                               from_status=rule.state, to_status=back, action="requeue")
                        rule.state = back
                        summary.add("requeued")
        try:
            flows.snapshot_access.update_access(self.mgr, RequestContext.admin(), snap_id)
        except Exception:
            LOG.exception("%s: applying the rules of snapshot %s again failed",
                          self.mgr.host, snap_id)


def _requeue(rule: ShareAccessRule | ShareSnapshotAccessRule) -> str | None:
    """The queue a rule left ``applying`` or ``denying`` goes back to."""
    return {A.APPLYING: A.QUEUED_TO_APPLY, A.DENYING: A.QUEUED_TO_DENY}.get(A(rule.state))


def _stale(stamp: datetime, cutoff: datetime | None) -> bool:
    return cutoff is None or stamp <= cutoff


def _active_replica() -> Any:
    return or_(ShareInstance.replica_state.is_(None), ShareInstance.replica_state == "active")


def _resize_target(session: Session, inst: ShareInstance) -> int | None:
    """The size a resize was going to: the recorded size plus the pending ``gigabytes``
    reservation of the resize (None when it is gone)."""
    origin = quotas.origin("share", inst.share_id, "resize")
    deltas = list(session.scalars(select(Reservation.delta).where(
        Reservation.origin == origin, Reservation.resource == "gigabytes",
        Reservation.deleted == "")))
    if not deltas:
        return None
    target = inst.share.size + deltas[0]
    return target if target >= 1 else None


def _restoring_snapshot(session: Session, share_id: str) -> str | None:
    for snap in snapshots_repo.of_share(session, share_id):
        if snap.status == N.RESTORING:
            return snap.id
    return None


def _capacity_key(status: str, inst_id: str) -> str:
    """The operation the schedulers may still count room for ("" for none)."""
    if status in CREATING:
        return inst_id
    return extend_key(inst_id) if status == S.EXTENDING else ""
