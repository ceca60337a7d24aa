"""Mountable snapshots (2.32): export a snapshot when it is taken, apply its access
rules (always read-only), take the export down before it is deleted.

A snapshot is mountable when its share's type asks for ``mount_snapshot_support`` and
the driver implements ``SnapshotMountSupport`` (the scheduler only places such shares
on backends that report the capability).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from abaca.common.errors import NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import AccessState
from abaca.db.models import ShareSnapshotAccessRule, ShareSnapshotExportLocation
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.services.share_types import spec_flag
from abaca.share.driver_api import (
    AccessRule,
    ExportLocationInfo,
    SnapshotMountSupport,
    SnapshotRequest,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from abaca.common.context import RequestContext
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
A = AccessState


def _mount_driver(mgr: ShareManager, session: Session,
                  snapshot_id: str) -> SnapshotMountSupport | None:
    """The driver if the snapshot is to be mountable here, else None."""
    snap = snapshots_repo.get(session, snapshot_id)
    share = shares_repo.get_share(session, snap.share_id)
    if share.share_type is None or not spec_flag(share.share_type, "mount_snapshot_support"):
        return None
    if not isinstance(mgr.driver, SnapshotMountSupport):
        raise NotFound("This backend cannot export snapshots.")
    return mgr.driver


def export(mgr: ShareManager, request: SnapshotRequest) -> tuple[ExportLocationInfo, ...]:
    """Export a new snapshot of a mountable share (no rule yet); () otherwise."""
    with mgr.db.read() as session:
        driver = _mount_driver(mgr, session, request.snapshot_id)
    return driver.export_snapshot(request).export_locations if driver else ()


def unexport(mgr: ShareManager, request: SnapshotRequest) -> None:
    with mgr.db.read() as session:
        driver = _mount_driver(mgr, session, request.snapshot_id)
    if driver is not None:
        driver.unexport_snapshot(request)


def save_exports(session: Session, snapshot_id: str,
                 locations: tuple[ExportLocationInfo, ...]) -> None:
    for old in _rows(session, ShareSnapshotExportLocation, snapshot_id):
        old.soft_delete()
    for loc in locations:
        session.add(ShareSnapshotExportLocation(snapshot_id=snapshot_id, path=loc.path,
                                                is_admin_only=loc.is_admin_only))


def forget_rows(session: Session, snapshot_id: str) -> None:
    """Soft-delete a deleted (or unmanaged) snapshot's export locations and rules."""
    for model in (ShareSnapshotExportLocation, ShareSnapshotAccessRule):
        for row in _rows(session, model, snapshot_id):
            row.soft_delete()


def _rows(session: Session, model: type[ShareSnapshotExportLocation]
          | type[ShareSnapshotAccessRule], snapshot_id: str) -> list[
              ShareSnapshotExportLocation | ShareSnapshotAccessRule]:
    return list(session.scalars(select(model).where(model.snapshot_id == snapshot_id,
                                                    model.deleted == "")))


def update_access(mgr: ShareManager, ctxt: RequestContext, snapshot_id: str) -> None:
    """Apply every queued rule of the snapshot, one driver call per batch, until none is
    queued (rules queued meanwhile are the next batch)."""
    from abaca.share.flows.snapshots import snapshot_request

    with mgr.instance_lock(f"snapshot-{snapshot_id}"):
        while True:
            with mgr.db.write() as session:
                try:
                    driver = _mount_driver(mgr, session, snapshot_id)
                except NotFound:
                    LOG.warning("snapshot %s is gone or cannot be exported here",
                                snapshot_id)
                    return
                rules = snapshots_repo.access_rules(session, snapshot_id)
                batch = {r.id: r.state for r in rules
                         if r.state in (A.QUEUED_TO_APPLY, A.QUEUED_TO_DENY)}
                if not batch or driver is None:
                    return
                for rule in rules:
                    if rule.id in batch:
                        rule.state = (A.APPLYING if rule.state == A.QUEUED_TO_APPLY
                                      else A.DENYING)
                wanted = [AccessRule(id=r.id, access_type=r.access_type,
                                     access_to=r.access_to, access_level="ro")
                          for r in rules if r.state in (A.ACTIVE, A.APPLYING)]
                request = snapshot_request(mgr, session,
                                           snapshots_repo.get(session, snapshot_id))
            try:
                failed = driver.snapshot_update_access(request, wanted)
                crashed = False
            except Exception:
                LOG.exception("snapshot %s: access update failed", snapshot_id)
                failed, crashed = dict.fromkeys(batch, "error"), True
            _finish(mgr, ctxt, snapshot_id, batch, failed, crashed)


def _finish(mgr: ShareManager, ctxt: RequestContext, snapshot_id: str,
            batch: dict[str, str], failed: dict[str, str], crashed: bool) -> None:
    with mgr.db.write() as session:
        for rule in snapshots_repo.access_rules(session, snapshot_id):
            if rule.id not in batch:
                continue
            if rule.state == A.APPLYING:
                rule.state = A.ERROR if rule.id in failed else A.ACTIVE
            elif rule.state == A.DENYING:
                if crashed:
                    rule.state = A.ERROR
                else:
                    rule.soft_delete()
        if failed:
            snap = snapshots_repo.get(session, snapshot_id)
            messages_repo.create(session, project_id=snap.project_id,
                                 resource_type="SNAPSHOT", resource_id=snapshot_id,
                                 action=Action.UPDATE_ACCESS_RULES,
                                 detail=(Detail.DRIVER_FAILED_ACCESS if crashed
                                         else Detail.UNSUPPORTED_CLIENT_ACCESS),
                                 request_id=ctxt.request_id)
