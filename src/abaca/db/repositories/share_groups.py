"""Share groups, group snapshots and their members: queries the API and the share
service both need."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abaca.common.errors import NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareGroupStatus
from abaca.db.models import (
    Share,
    ShareGroup,
    ShareGroupShareType,
    ShareGroupSnapshot,
    ShareGroupSnapshotMember,
)
from abaca.db.repositories import messages as messages_repo

LOG = logging.getLogger(__name__)
G = ShareGroupStatus


def get(session: Session, group_id: str) -> ShareGroup:
    group = session.scalar(select(ShareGroup).where(ShareGroup.id == group_id,
                                                    ShareGroup.deleted == ""))
    if group is None:
        raise NotFound(f"Share group {group_id} could not be found.")
    return group


def get_snapshot(session: Session, snapshot_id: str) -> ShareGroupSnapshot:
    snap = session.scalar(select(ShareGroupSnapshot).where(
        ShareGroupSnapshot.id == snapshot_id, ShareGroupSnapshot.deleted == ""))
    if snap is None:
        raise NotFound(f"Share group snapshot {snapshot_id} could not be found.")
    return snap


def shares_of(session: Session, group_id: str) -> list[Share]:
    return list(session.scalars(select(Share).where(
        Share.share_group_id == group_id, Share.deleted == "")
        .order_by(Share.created_at, Share.id)))


def snapshots_of(session: Session, group_id: str) -> list[ShareGroupSnapshot]:
    return list(session.scalars(select(ShareGroupSnapshot).where(
        ShareGroupSnapshot.share_group_id == group_id, ShareGroupSnapshot.deleted == "")
        .order_by(ShareGroupSnapshot.created_at, ShareGroupSnapshot.id)))


def member_count_of_share(session: Session, share_id: str) -> int:
    return int(session.scalar(select(func.count(ShareGroupSnapshotMember.id)).where(
        ShareGroupSnapshotMember.share_id == share_id,
        ShareGroupSnapshotMember.deleted == "")) or 0)


def get_member(session: Session, member_id: str) -> ShareGroupSnapshotMember:
    member = session.scalar(select(ShareGroupSnapshotMember).where(
        ShareGroupSnapshotMember.id == member_id, ShareGroupSnapshotMember.deleted == ""))
    if member is None:
        raise NotFound(f"Share group snapshot member {member_id} could not be found.")
    return member


def set_status(row: ShareGroup | ShareGroupSnapshot | ShareGroupSnapshotMember,
               status: str) -> None:
    """Move a group, group snapshot or member to ``status``; an illegal move raises."""
    ShareGroupStatus.check(row.status, status)
    row.status = status


def forget_group(session: Session, group: ShareGroup) -> None:
    """Soft-delete a group and the list of its share types."""
    for row in session.scalars(select(ShareGroupShareType).where(
            ShareGroupShareType.share_group_id == group.id,
            ShareGroupShareType.deleted == "")):
        row.soft_delete()
    group.status = G.DELETED
    group.soft_delete()


def forget_snapshot(session: Session, snap: ShareGroupSnapshot) -> None:
    """Soft-delete a group snapshot and its members."""
    for member in session.scalars(select(ShareGroupSnapshotMember).where(
            ShareGroupSnapshotMember.share_group_snapshot_id == snap.id,
            ShareGroupSnapshotMember.deleted == "")):
        member.status = G.DELETED
        member.soft_delete()
    snap.status = G.DELETED
    snap.soft_delete()


def fail_group(db: Any, ctxt: Any, group_id: str | None, action: Action,
               detail: Detail, status: str = G.ERROR, only_from: str | None = None) -> None:
    """Put the group in ``status`` and tell its owner why (only if it is still
    ``only_from``, when given); never raises."""
    if not group_id:
        return
    try:
        with db.write() as session:
            try:
                group = get(session, group_id)
            except NotFound:
                return
            if only_from is not None and group.status != only_from:
                return
            group.status = status
            messages_repo.create(session, project_id=group.project_id,
                                 resource_type="SHARE_GROUP", resource_id=group.id,
                                 action=action, detail=detail, request_id=ctxt.request_id)
    except Exception:
        LOG.exception("could not put share group %s in %s", group_id, status)


def fail_snapshot(db: Any, ctxt: Any, snapshot_id: str, action: Action, detail: Detail,
                  status: str = G.ERROR) -> None:
    """Put the group snapshot and its members in ``status`` and tell the owner why."""
    with db.write() as session:
        try:
            snap = get_snapshot(session, snapshot_id)
        except NotFound:
            return
        snap.status = status
        for member in snap.members:
            member.status = status
        messages_repo.create(session, project_id=snap.project_id,
                             resource_type="SHARE_GROUP_SNAPSHOT", resource_id=snap.id,
                             action=action, detail=detail, request_id=ctxt.request_id)
