"""Share snapshots."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from abaca.common.errors import NotFound
from abaca.common.states import SnapshotStatus
from abaca.db.models import ShareSnapshot, ShareSnapshotAccessRule


def get(session: Session, snapshot_id: str) -> ShareSnapshot:
    snap = session.scalar(select(ShareSnapshot).where(ShareSnapshot.id == snapshot_id,
                                                      ShareSnapshot.deleted == ""))
    if snap is None:
        raise NotFound(f"Snapshot {snapshot_id} could not be found.")
    return snap


def of_share(session: Session, share_id: str) -> list[ShareSnapshot]:
    return list(session.scalars(select(ShareSnapshot).where(
        ShareSnapshot.share_id == share_id, ShareSnapshot.deleted == "")
        .order_by(ShareSnapshot.created_at, ShareSnapshot.id)))


def set_status(snap: ShareSnapshot, status: str) -> None:
    SnapshotStatus.check(snap.status, status)
    snap.status = status


def access_rules(session: Session, snapshot_id: str) -> list[ShareSnapshotAccessRule]:
    """A mountable snapshot's access rules, oldest first."""
    return list(session.scalars(select(ShareSnapshotAccessRule).where(
        ShareSnapshotAccessRule.snapshot_id == snapshot_id,
        ShareSnapshotAccessRule.deleted == "").order_by(
        ShareSnapshotAccessRule.created_at, ShareSnapshotAccessRule.id)))
