"""The record of what the reconciler did, and the listing of what is in transit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from abaca.common.states import SHARE_TRANSITIONAL, AccessState, SnapshotStatus
from abaca.db.models import (
    ReconcilerAction,
    ShareAccessRule,
    ShareInstance,
    ShareSnapshot,
    ShareSnapshotAccessRule,
    utcnow,
)

SNAPSHOT_TRANSITIONAL = frozenset({SnapshotStatus.CREATING, SnapshotStatus.DELETING,
                                   SnapshotStatus.RESTORING, SnapshotStatus.MANAGE_STARTING,
                                   SnapshotStatus.UNMANAGE_STARTING})
RULE_TRANSITIONAL = frozenset({AccessState.QUEUED_TO_APPLY, AccessState.APPLYING,
                               AccessState.QUEUED_TO_DENY, AccessState.DENYING})


def record(session: Session, *, host: str, resource_type: str, resource_id: str,
           from_status: str | None, to_status: str | None, action: str,
           detail: str | None = None) -> None:
    session.add(ReconcilerAction(host=host, resource_type=resource_type,
                                 resource_id=resource_id, from_status=from_status,
                                 to_status=to_status, action=action, detail=detail))


def history(session: Session, limit: int = 100,
            resource_id: str | None = None) -> list[ReconcilerAction]:
    query = select(ReconcilerAction).where(ReconcilerAction.deleted == "")
    if resource_id:
        query = query.where(ReconcilerAction.resource_id == resource_id)
    rows = session.scalars(query.order_by(ReconcilerAction.id.desc()).limit(limit))
    return list(reversed(list(rows)))


@dataclass(frozen=True)
class InTransit:
    resource_type: str
    resource_id: str
    status: str
    host: str
    since: datetime

    @property
    def age(self) -> float:
        return (utcnow() - self.since).total_seconds()


def in_transit(session: Session) -> list[InTransit]:
    """Every share instance, snapshot and access rule in a transitional state."""
    found: list[InTransit] = []
    for inst in session.scalars(select(ShareInstance).where(
            ShareInstance.deleted == "", ShareInstance.status.in_(SHARE_TRANSITIONAL))):
        found.append(InTransit("share", inst.share_id, inst.status, inst.host or "-",
                               inst.updated_at or inst.created_at))
    for snap in session.scalars(select(ShareSnapshot).where(
            ShareSnapshot.deleted == "", ShareSnapshot.status.in_(SNAPSHOT_TRANSITIONAL))):
        found.append(InTransit("snapshot", snap.id, snap.status, "-",
                               snap.updated_at or snap.created_at))
    for rule in session.scalars(select(ShareAccessRule).where(
            ShareAccessRule.deleted == "", ShareAccessRule.state.in_(RULE_TRANSITIONAL))):
        found.append(InTransit("access_rule", rule.id, rule.state, "-",
                               rule.updated_at or rule.created_at))
    for srule in session.scalars(select(ShareSnapshotAccessRule).where(
            ShareSnapshotAccessRule.deleted == "",
            ShareSnapshotAccessRule.state.in_(RULE_TRANSITIONAL))):
        found.append(InTransit("snapshot_access_rule", srule.id, srule.state, "-",
                               srule.updated_at or srule.created_at))
    return sorted(found, key=lambda t: t.since)
