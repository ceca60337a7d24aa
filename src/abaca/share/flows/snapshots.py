"""Snapshot workflows on the share service: create, delete, manage, unmanage."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from abaca.common.context import RequestContext
from abaca.common.errors import NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import SnapshotStatus
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.services import quotas
from abaca.share.driver_api import ManageSupport, SnapshotRequest, SnapshotSupport
from abaca.share.flows import snapshot_access
from abaca.share.flows.common import share_request

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from abaca.db.models import ShareSnapshot
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
N = SnapshotStatus


def snapshot_request(mgr: ShareManager, session: Session,
                     snap: ShareSnapshot) -> SnapshotRequest:
    share = shares_repo.get_share(session, snap.share_id)
    return SnapshotRequest(snapshot_id=snap.id, name=f"share-snapshot-{snap.id}",
                           share=share_request(mgr.conf, share.instance), size=snap.size,
                           provider_location=snap.provider_location)


def _driver(mgr: ShareManager) -> SnapshotSupport:
    if not isinstance(mgr.driver, SnapshotSupport):
        raise NotFound("This backend has no snapshots.")
    return mgr.driver


def _load(mgr: ShareManager, snapshot_id: str, expected: str) -> SnapshotRequest | None:
    with mgr.db.read() as session:
        try:
            snap = snapshots_repo.get(session, snapshot_id)
        except NotFound:
            return None
        if snap.status != expected:
            LOG.warning("snapshot %s is %s, not %s", snapshot_id, snap.status, expected)
            return None
        return snapshot_request(mgr, session, snap)


def _fail(mgr: ShareManager, ctxt: RequestContext, snapshot_id: str, status: str,
          action: Action, reserved: str | None = None) -> None:
    with mgr.db.write() as session:
        if reserved:
            quotas.rollback_origin(session, quotas.origin("snapshot", snapshot_id, reserved))
        snap = snapshots_repo.get(session, snapshot_id)
        snapshots_repo.set_status(snap, status)
        messages_repo.create(session, project_id=snap.project_id, resource_type="SNAPSHOT",
                             resource_id=snap.id, action=action,
                             detail=Detail.DRIVER_FAILED_SNAPSHOT, request_id=ctxt.request_id)


def create(mgr: ShareManager, ctxt: RequestContext, snapshot_id: str) -> None:
    request = _load(mgr, snapshot_id, N.CREATING)
    if request is None:
        return
    try:
        result = _driver(mgr).create_snapshot(request)
        exports = snapshot_access.export(mgr, request)  # a mountable snapshot (2.32)
    except Exception:
        LOG.exception("snapshot %s: create failed", snapshot_id)
        _fail(mgr, ctxt, snapshot_id, N.ERROR, Action.CREATE_SNAPSHOT)
        return
    with mgr.db.write() as session:
        snap = snapshots_repo.get(session, snapshot_id)
        snapshot_access.save_exports(session, snapshot_id, exports)
        snap.provider_location = result.provider_location
        snap.progress = "100%"
        snapshots_repo.set_status(snap, N.AVAILABLE)


def delete(mgr: ShareManager, ctxt: RequestContext, snapshot_id: str) -> None:
    request = _load(mgr, snapshot_id, N.DELETING)
    if request is None:
        return
    try:
        snapshot_access.unexport(mgr, request)
        _driver(mgr).delete_snapshot(request)
    except Exception:
        LOG.exception("snapshot %s: delete failed", snapshot_id)
        _fail(mgr, ctxt, snapshot_id, N.ERROR_DELETING, Action.DELETE_SNAPSHOT, "delete")
        return
    _forget(mgr, snapshot_id, N.DELETED, "delete")


def _forget(mgr: ShareManager, snapshot_id: str, final: str, action: str) -> None:
    with mgr.db.write() as session:  # the usage is given back with the row
        quotas.commit_origin(session, quotas.origin("snapshot", snapshot_id, action))
        snap = snapshots_repo.get(session, snapshot_id)
        snapshots_repo.set_status(snap, final)
        snapshot_access.forget_rows(session, snapshot_id)
        snap.soft_delete()


def manage(mgr: ShareManager, ctxt: RequestContext, snapshot_id: str,
           driver_options: dict[str, Any]) -> None:
    request = _load(mgr, snapshot_id, N.MANAGE_STARTING)
    if request is None:
        return
    try:
        if not isinstance(mgr.driver, ManageSupport):
            raise NotFound("This backend cannot manage snapshots.")
        result = mgr.driver.manage_existing_snapshot(request, driver_options)
        exports = snapshot_access.export(mgr, request)  # a mountable snapshot (2.32)
    except Exception:
        LOG.exception("snapshot %s: manage failed", snapshot_id)
        _fail(mgr, ctxt, snapshot_id, N.MANAGE_ERROR, Action.MANAGE)
        return
    with mgr.db.write() as session:
        snap = snapshots_repo.get(session, snapshot_id)
        share = shares_repo.get_share(session, snap.share_id)
        # Counted from now on, even over quota; before the status changes, so that a
        # first count of the live rows does not include it.
        quotas.add_usage(session, mgr.conf, quotas.Scope(
            snap.project_id, snap.user_id, share.share_type_id),
            {"snapshots": 1, "snapshot_gigabytes": result.size})
        snapshot_access.save_exports(session, snapshot_id, exports)
        snap.provider_location = result.provider_location
        snap.size = result.size
        snap.progress = "100%"
        snapshots_repo.set_status(snap, N.AVAILABLE)


def unmanage(mgr: ShareManager, ctxt: RequestContext, snapshot_id: str) -> None:
    request = _load(mgr, snapshot_id, N.UNMANAGE_STARTING)
    if request is None:
        return
    try:
        if not isinstance(mgr.driver, ManageSupport):
            raise NotFound("This backend cannot unmanage snapshots.")
        snapshot_access.unexport(mgr, request)
        mgr.driver.unmanage_snapshot(request)
    except Exception:
        LOG.exception("snapshot %s: unmanage failed", snapshot_id)
        _fail(mgr, ctxt, snapshot_id, N.UNMANAGE_ERROR, Action.UNMANAGE, "unmanage")
        return
    _forget(mgr, snapshot_id, N.UNMANAGED, "unmanage")
