"""Share group workflows on the share service: create a group (also from a group
snapshot), delete it, snapshot it, delete a group snapshot.

A driver with ``GroupSupport`` does groups natively. Any other driver still serves
them: a group is a set of shares on one backend, a group snapshot is one snapshot per
member taken in turn (``SnapshotSupport``), undone if any of them fails. No database
transaction is held while the driver works.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from abaca.common.context import RequestContext
from abaca.common.errors import DriverError, NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareGroupStatus, ShareStatus
from abaca.common.types import Candidate
from abaca.db.models import ShareGroup, ShareGroupSnapshot, utcnow
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import share_groups as groups_repo
from abaca.db.repositories import shares as shares_repo
from abaca.services import quotas
from abaca.share.driver_api import (
    GroupSupport,
    ShareGroupRequest,
    SnapshotRequest,
    SnapshotResult,
    SnapshotSupport,
    StorageDriver,
)
from abaca.share.flows.common import save_exports, share_request, try_candidates

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
G = ShareGroupStatus


def add_group_capabilities(driver: StorageDriver, pool: dict[str, Any]) -> None:
    """What a pool tells the scheduler about groups (Manila's ``share_group_stats``);
    a value the operator configured for the pool is kept."""
    support = (driver.consistent_snapshot_support if isinstance(driver, GroupSupport)
               else None)
    pool.setdefault("sg_consistent_snapshot_support", support)
    pool.setdefault("share_group_stats", {"consistent_snapshot_support":
                                          pool["sg_consistent_snapshot_support"]})


def _group_in(session: Session, group_id: str, status: str) -> ShareGroup | None:
    try:
        group = groups_repo.get(session, group_id)
    except NotFound:
        return None
    if group.status != status:
        LOG.warning("share group %s is %s, not %s: nothing to do", group_id, group.status,
                    status)
        return None
    return group


def _group_request(group: ShareGroup) -> ShareGroupRequest:
    return ShareGroupRequest(group_id=group.id, pool=(group.host or "").partition("#")[2],
                             project_id=group.project_id)


def _member_request(mgr: ShareManager, session: Session, member: Any) -> SnapshotRequest:
    inst = shares_repo.get_instance(session, member.share_instance_id)
    return SnapshotRequest(snapshot_id=member.id, name=f"share-snapshot-{member.id}",
                           share=share_request(mgr.conf, inst), size=member.size,
                           provider_location=member.provider_location)


def member_snapshot_request(mgr: ShareManager, session: Session,
                            member_id: str) -> SnapshotRequest:
    """The driver's view of a group snapshot member, the source of a share made from it
    (NotFound when the member is gone)."""
    return _member_request(mgr, session, groups_repo.get_member(session, member_id))


# create --------------------------------------------------------------------------------


def create(mgr: ShareManager, ctxt: RequestContext, group_id: str,
           candidates: list[dict[str, Any]]) -> None:
    with mgr.db.read() as session:
        group = _group_in(session, group_id, G.CREATING)
        if group is None:
            return
        from_snapshot = group.source_share_group_snapshot_id is not None
    if from_snapshot:
        _create_from_snapshot(mgr, ctxt, group_id)
        return

    def forward(service_host: str, rest: list[dict[str, Any]]) -> None:
        mgr.share_rpc.create_share_group(ctxt, service_host, group_id, rest)

    if try_candidates(mgr, candidates, forward, partial(_create_on, mgr, group_id)):
        return
    groups_repo.fail_group(mgr.db, ctxt, group_id, Action.CREATE_SHARE_GROUP,
                           Detail.DRIVER_FAILED_SHARE_GROUP)


def _create_on(mgr: ShareManager, group_id: str, cand: Candidate) -> bool:
    """Make the group on the pool ``cand``: False when the driver failed there."""
    with mgr.db.write() as session:
        group = _group_in(session, group_id, G.CREATING)
        if group is None:
            return True
        group.host = cand.host
        group.availability_zone = mgr.backend.config.availability_zone
        if isinstance(mgr.driver, GroupSupport):
            group.consistent_snapshot_support = mgr.driver.consistent_snapshot_support
        request = _group_request(group)
    try:
        if isinstance(mgr.driver, GroupSupport):
            mgr.driver.create_share_group(request)
    except Exception:
        LOG.exception("share group %s: creating on %s failed", group_id, cand.host)
        return False
    with mgr.db.write() as session:
        group = _group_in(session, group_id, G.CREATING)
        if group is not None:
            groups_repo.set_status(group, G.AVAILABLE)
    LOG.info("share group %s available on %s", group_id, cand.host)
    return True


def _create_from_snapshot(mgr: ShareManager, ctxt: RequestContext, group_id: str) -> None:
    """The API wrote the group (on its source group's pool) and one share per member of
    the snapshot; each share is created from its member's snapshot where its source is."""
    work = []
    source_gone = False
    with mgr.db.write() as session:
        group = _group_in(session, group_id, G.CREATING)
        if group is None:
            return
        request = _group_request(group)
        for share in groups_repo.shares_of(session, group_id):
            inst = share.instance
            if inst.status != ShareStatus.CREATING_FROM_SNAPSHOT:
                continue
            try:
                member = groups_repo.get_member(
                    session, share.source_share_group_snapshot_member_id or "")
                source = shares_repo.get_instance(session, member.share_instance_id)
            except NotFound:
                # an administrator force-deleted the snapshot (or its share) meanwhile
                LOG.warning("share group %s: the source of share %s is gone", group_id,
                            share.id)
                shares_repo.set_status(inst, ShareStatus.ERROR)
                messages_repo.create(session, project_id=share.project_id,
                                     resource_type="SHARE", resource_id=share.id,
                                     action=Action.CREATE,
                                     detail=Detail.DRIVER_FAILED_CREATING_FROM_SNAP,
                                     request_id=ctxt.request_id)
                source_gone = True
                continue
            inst.host = source.host
            inst.availability_zone = source.availability_zone
            work.append((inst.id, share_request(mgr.conf, inst),
                         _member_request(mgr, session, member)))
    failed = source_gone
    try:
        if isinstance(mgr.driver, GroupSupport):
            mgr.driver.create_share_group(request)
    except Exception:
        LOG.exception("share group %s: creating it on the backend failed", group_id)
        failed = True
    for instance_id, share_req, snap in work:
        try:
            if failed:
                raise DriverError("the group could not be created")
            if not isinstance(mgr.driver, SnapshotSupport):
                raise DriverError("This backend cannot create shares from snapshots.")
            result = mgr.driver.create_share_from_snapshot(share_req, snap)
        except Exception:
            LOG.exception("share group %s: share %s from %s failed", group_id,
                          share_req.share_id, snap.snapshot_id)
            failed = True
            with mgr.db.write() as session:
                inst = shares_repo.get_instance(session, instance_id)
                shares_repo.set_status(inst, ShareStatus.ERROR)
                messages_repo.create(session, project_id=share_req.project_id,
                                     resource_type="SHARE", resource_id=share_req.share_id,
                                     action=Action.CREATE,
                                     detail=Detail.DRIVER_FAILED_CREATING_FROM_SNAP,
                                     request_id=ctxt.request_id)
            continue
        with mgr.db.write() as session:
            inst = shares_repo.get_instance(session, instance_id)
            save_exports(session, inst, result)
            shares_repo.set_status(inst, ShareStatus.AVAILABLE)
            inst.launched_at = utcnow()
    if failed:
        groups_repo.fail_group(mgr.db, ctxt, group_id, Action.CREATE_SHARE_GROUP,
                               Detail.DRIVER_FAILED_SHARE_GROUP)
        return
    with mgr.db.write() as session:
        group = _group_in(session, group_id, G.CREATING)
        if group is not None:
            groups_repo.set_status(group, G.AVAILABLE)


# delete --------------------------------------------------------------------------------


def delete(mgr: ShareManager, ctxt: RequestContext, group_id: str) -> None:
    with mgr.db.read() as session:
        group = _group_in(session, group_id, G.DELETING)
        if group is None:
            return
        request = _group_request(group)
    try:
        if isinstance(mgr.driver, GroupSupport):
            mgr.driver.delete_share_group(request)
    except Exception:
        LOG.exception("share group %s: delete failed", group_id)
        groups_repo.fail_group(mgr.db, ctxt, group_id, Action.DELETE_SHARE_GROUP,
                               Detail.DRIVER_FAILED_SHARE_GROUP, status=G.ERROR_DELETING)
        with mgr.db.write() as session:
            quotas.rollback_origin(session, quotas.origin("share_group", group_id, "delete"))
        return
    with mgr.db.write() as session:
        quotas.commit_origin(session, quotas.origin("share_group", group_id, "delete"))
        groups_repo.forget_group(session, groups_repo.get(session, group_id))


# group snapshots ---------------------------------------------------------------------


def _load_snapshot(mgr: ShareManager, snapshot_id: str, status: str
                   ) -> tuple[ShareGroupRequest, list[SnapshotRequest]] | None:
    with mgr.db.read() as session:
        try:
            snap: ShareGroupSnapshot = groups_repo.get_snapshot(session, snapshot_id)
        except NotFound:
            return None
        if snap.status != status:
            LOG.warning("share group snapshot %s is %s, not %s", snapshot_id, snap.status,
                        status)
            return None
        group = groups_repo.get(session, snap.share_group_id)
        return (_group_request(group),
                [_member_request(mgr, session, m) for m in snap.members])


def _one_by_one(driver: StorageDriver,
                members: list[SnapshotRequest]) -> dict[str, SnapshotResult]:
    """The default group snapshot: each member in turn; the ones taken are removed
    again if a later one fails, so an error leaves nothing behind."""
    if not isinstance(driver, SnapshotSupport):
        raise DriverError("This backend has no snapshots.")
    done: dict[str, SnapshotResult] = {}
    try:
        for member in members:
            done[member.snapshot_id] = driver.create_snapshot(member)
    except Exception:
        for member in members:
            if member.snapshot_id in done:
                try:
                    driver.delete_snapshot(member)
                except Exception:
                    LOG.exception("could not remove member snapshot %s", member.snapshot_id)
        raise
    return done


def create_snapshot(mgr: ShareManager, ctxt: RequestContext, snapshot_id: str) -> None:
    loaded = _load_snapshot(mgr, snapshot_id, G.CREATING)
    if loaded is None:
        return
    group, members = loaded
    try:
        if isinstance(mgr.driver, GroupSupport):
            results = mgr.driver.create_share_group_snapshot(group, members)
        else:
            results = _one_by_one(mgr.driver, members)
        missing = [m.snapshot_id for m in members if m.snapshot_id not in results]
        if missing:
            raise DriverError(f"the driver returned no snapshot for members {missing}")
    except Exception:
        LOG.exception("share group snapshot %s: create failed", snapshot_id)
        groups_repo.fail_snapshot(mgr.db, ctxt, snapshot_id,
                                  Action.CREATE_SHARE_GROUP_SNAPSHOT,
                                  Detail.DRIVER_FAILED_GROUP_SNAPSHOT)
        return
    with mgr.db.write() as session:
        try:
            snap = groups_repo.get_snapshot(session, snapshot_id)
        except NotFound:
            return
        for member in snap.members:
            member.provider_location = results[member.id].provider_location
            member.status = G.AVAILABLE
        groups_repo.set_status(snap, G.AVAILABLE)


def delete_snapshot(mgr: ShareManager, ctxt: RequestContext, snapshot_id: str) -> None:
    loaded = _load_snapshot(mgr, snapshot_id, G.DELETING)
    if loaded is None:
        return
    group, members = loaded
    try:
        if isinstance(mgr.driver, GroupSupport):
            mgr.driver.delete_share_group_snapshot(group, members)
        elif members:
            if not isinstance(mgr.driver, SnapshotSupport):
                raise DriverError("This backend has no snapshots.")
            for member in members:
                mgr.driver.delete_snapshot(member)
    except Exception:
        LOG.exception("share group snapshot %s: delete failed", snapshot_id)
        groups_repo.fail_snapshot(mgr.db, ctxt, snapshot_id,
                                  Action.DELETE_SHARE_GROUP_SNAPSHOT,
                                  Detail.DRIVER_FAILED_GROUP_SNAPSHOT,
                                  status=G.ERROR_DELETING)
        with mgr.db.write() as session:
            quotas.rollback_origin(session, quotas.origin("share_group_snapshot", snapshot_id,
                                                          "delete"))
        return
    with mgr.db.write() as session:
        quotas.commit_origin(session, quotas.origin("share_group_snapshot", snapshot_id,
                                                    "delete"))
        try:
            groups_repo.forget_snapshot(session, groups_repo.get_snapshot(session,
                                                                          snapshot_id))
        except NotFound:
            return
