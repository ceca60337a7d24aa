"""Share instances and snapshot instances, as administrators see them (2.3, 2.19).

A share has one instance today (replicas and migrations add more); its status, host and
export locations are the share's. A snapshot has exactly one instance, which is the
snapshot row itself seen from the back end's side: it carries the snapshot's id, and
its ``share_instance_id`` is the instance of the snapshot's share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Invalid, NotFound
from abaca.common.states import ShareStatus, SnapshotStatus
from abaca.db.models import ExportLocation, ShareInstance, ShareSnapshot, utcnow
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.db.session import Database
from abaca.services import validation
from abaca.share.rpcapi import ShareAPI

# What an administrator may reset an instance to; the final states are the service's.
RESETTABLE_SHARE = frozenset(s.value for s in ShareStatus) - {"deleted", "unmanaged"}
RESETTABLE_SNAPSHOT = frozenset(s.value for s in SnapshotStatus) - {"deleted"}


@dataclass(frozen=True)
class SnapshotInstance:
    snapshot: ShareSnapshot
    share_instance_id: str | None


def _target(project_id: str | None) -> dict[str, Any]:
    return {"project_id": project_id}


@dataclass
class InstanceServices:
    db: Database
    share_rpc: ShareAPI

    # share instances ------------------------------------------------------------------

    def list_instances(self, ctx: RequestContext, params: dict[str, str], *,
                       by_export_location: bool) -> list[ShareInstance]:
        policy.authorize(ctx, "share_instance:index", _target(ctx.project_id))
        query = select(ShareInstance).where(ShareInstance.deleted == "")
        el_id = params.get("export_location_id") if by_export_location else None
        el_path = params.get("export_location_path") if by_export_location else None
        if el_id or el_path:
            located = select(ExportLocation.share_instance_id).where(
                ExportLocation.deleted == "")
            if el_id:
                located = located.where(ExportLocation.id == el_id)
            if el_path:
                located = located.where(ExportLocation.path == el_path)
            query = query.where(ShareInstance.id.in_(located))
        query = query.order_by(ShareInstance.created_at, ShareInstance.id)
        with self.db.read() as session:
            return list(session.scalars(query))

    def of_share(self, ctx: RequestContext, share_id: str) -> list[ShareInstance]:
        policy.authorize(ctx, "share_instance:index", _target(ctx.project_id))
        with self.db.read() as session:
            return list(shares_repo.get_share(session, share_id).instances)

    def get(self, ctx: RequestContext, instance_id: str) -> ShareInstance:
        with self.db.read() as session:
            inst = shares_repo.get_instance(session, instance_id)
        policy.authorize(ctx, "share_instance:show", _target(inst.share.project_id))
        return inst

    def export_locations(self, ctx: RequestContext, instance_id: str,
                         rule: str) -> list[ExportLocation]:
        with self.db.read() as session:
            inst = shares_repo.get_instance(session, instance_id)
        policy.authorize(ctx, rule, _target(inst.share.project_id))
        return list(inst.export_locations)

    def reset_status(self, ctx: RequestContext, instance_id: str, status: Any) -> None:
        if not isinstance(status, str) or status not in RESETTABLE_SHARE:
            raise Invalid(f"Invalid status {status!r}: expected one of "
                          f"{', '.join(sorted(RESETTABLE_SHARE))}.")
        with self.db.write() as session:
            inst = shares_repo.get_instance(session, instance_id)
            policy.authorize(ctx, "share_instance:reset_status",
                             _target(inst.share.project_id))
            inst.status = status  # an administrator's override: no transition check
            inst.share.updated_at = utcnow()

    def force_delete_target(self, ctx: RequestContext, instance_id: str) -> tuple[str, bool]:
        """(share id, whether this is the share's only instance) for a forced delete:
        the only instance goes with its share (``ShareActions.force_delete``), another
        one is a replica (``ReplicaServices.delete``); both keep the quota usage right."""
        with self.db.read() as session:
            inst = shares_repo.get_instance(session, instance_id)
            others = [i for i in inst.share.instances if i.id != inst.id]
        policy.authorize(ctx, "share_instance:force_delete", _target(inst.share.project_id))
        return inst.share_id, not others

    # snapshot instances ---------------------------------------------------------------

    def snapshot_instances(self, ctx: RequestContext, params: dict[str, str],
                           *, detailed: bool) -> list[SnapshotInstance]:
        rule = "detail" if detailed else "index"
        policy.authorize(ctx, f"share_snapshot_instance:{rule}", _target(ctx.project_id))
        query = select(ShareSnapshot).where(ShareSnapshot.deleted == "")
        if params.get("snapshot_id"):
            query = query.where(ShareSnapshot.id == validation.uuid_like(
                params["snapshot_id"], "snapshot_id"))
        query = query.order_by(ShareSnapshot.created_at, ShareSnapshot.id)
        with self.db.read() as session:
            return [SnapshotInstance(s, _share_instance_of(session, s))
                    for s in session.scalars(query)]

    def snapshot_instance(self, ctx: RequestContext, instance_id: str,
                          rule: str = "share_snapshot_instance:show") -> SnapshotInstance:
        with self.db.read() as session:
            snap = self._snapshot(session, instance_id)
            found = SnapshotInstance(snap, _share_instance_of(session, snap))
        policy.authorize(ctx, rule, _target(snap.project_id))
        return found

    def reset_snapshot_instance(self, ctx: RequestContext, instance_id: str,
                                status: Any) -> None:
        if not isinstance(status, str) or status not in RESETTABLE_SNAPSHOT:
            raise Invalid(f"Invalid status {status!r}: expected one of "
                          f"{', '.join(sorted(RESETTABLE_SNAPSHOT))}.")
        with self.db.write() as session:
            snap = self._snapshot(session, instance_id)
            policy.authorize(ctx, "share_snapshot_instance:reset_status",
                             _target(snap.project_id))
            snap.status = status

    @staticmethod
    def _snapshot(session: Any, instance_id: str) -> ShareSnapshot:
        try:
            return snapshots_repo.get(session, instance_id)
        except NotFound:
            raise NotFound(f"Snapshot instance {instance_id} could not be found.") from None


def _share_instance_of(session: Any, snap: ShareSnapshot) -> str | None:
    """The id of the share instance a snapshot was taken of (the share's active one)."""
    found: str | None = session.scalar(
        select(ShareInstance.id).where(ShareInstance.share_id == snap.share_id,
                                       ShareInstance.deleted == "")
        .order_by(ShareInstance.created_at).limit(1))
    return found

