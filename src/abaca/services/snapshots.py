"""Snapshots as the API handles them: validate, write, then send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Forbidden, Invalid, NotFound
from abaca.common.states import SNAPSHOT_DELETABLE, ShareStatus, SnapshotStatus
from abaca.db.models import ShareSnapshot
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.db.session import Database
from abaca.services import quotas, validation
from abaca.services.paging import page
from abaca.services.shares import visible
from abaca.share.rpcapi import ShareAPI

SORT_KEYS = {key: getattr(ShareSnapshot, key) for key in (
    "id", "status", "size", "share_id", "created_at", "updated_at", "display_name",
    "project_id", "user_id")} | {"name": ShareSnapshot.display_name}


def snapshot_supported(share: Any) -> bool:
    st = share.share_type
    value = (st.specs().get("snapshot_support", "False") if st else "False")
    try:
        return validation.boolean(value.removeprefix("<is>").strip(), "snapshot_support")
    except Invalid:
        return False


def visible_snapshot(ctx: RequestContext, snap: ShareSnapshot) -> ShareSnapshot:
    if ctx.is_admin or snap.project_id == ctx.project_id:
        return snap
    raise NotFound(f"Snapshot {snap.id} could not be found.")


def _reserve_release(session: Session, conf: Any, snap: ShareSnapshot,
                     share_type_id: str | None, action: str) -> None:
    """Reserve giving back a snapshot's usage; the share service commits it when the
    backend let the snapshot go (``snapshot:<id>:<action>``)."""
    tag = quotas.origin("snapshot", snap.id, action)
    quotas.rollback_origin(session, tag)  # an earlier attempt still pending
    if quotas.is_counted(snap.status):
        quotas.reserve(session, conf, quotas.Scope(snap.project_id, snap.user_id,
                                                   share_type_id),
                       {"snapshots": -1, "snapshot_gigabytes": -snap.size}, origin=tag)


@dataclass
class SnapshotServices:
    db: Database
    share_rpc: ShareAPI
    conf: Any = None  # for quotas

    def get(self, ctx: RequestContext, snapshot_id: str) -> ShareSnapshot:
        with self.db.read() as session:
            snap = visible_snapshot(ctx, snapshots_repo.get(session, snapshot_id))
        policy.authorize_on(ctx, "share_snapshot:get_snapshot", snap)
        return snap

    def create(self, ctx: RequestContext, body: dict[str, Any]) -> ShareSnapshot:
        share_id = validation.uuid_like(body.get("share_id"), "share_id")
        name = validation.text(body.get("name", body.get("display_name")), "name")
        description = validation.text(
            body.get("description", body.get("display_description")), "description")
        force = validation.boolean(body.get("force", False), "force")
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            policy.authorize_on(ctx, "share:create_snapshot", share)
            inst = share.instance
            if not snapshot_supported(share):
                raise Invalid(f"Snapshot cannot be created from share {share_id}, because "
                              "its share type does not have snapshot_support.")
            if inst.status != ShareStatus.AVAILABLE and not (force and inst.status == "error"):
                raise Invalid(f"Share {share_id} is {inst.status}; snapshots need an "
                              "available share.")
            if not inst.host:
                raise Invalid(f"Share {share_id} is not on a backend.")
            if share.has_replicas:
                raise Invalid(f"Share {share_id} has replicas; snapshots of replicated "
                              "shares are not supported yet.")
            snap = ShareSnapshot(share_id=share.id, user_id=ctx.user_id,
                                 project_id=share.project_id, display_name=name,
                                 display_description=description, size=share.size,
                                 share_size=share.size, share_proto=share.share_proto,
                                 status=SnapshotStatus.CREATING, progress="0%")
            quotas.consume(session, self.conf, quotas.Scope(
                share.project_id, ctx.user_id, share.share_type_id),
                {"snapshots": 1, "snapshot_gigabytes": share.size})
            session.add(snap)
            session.flush()
            host, snap_id = inst.host.partition("#")[0], snap.id
        created = self.get(ctx, snap_id)
        self.share_rpc.create_snapshot(ctx, host, snap_id)
        return created

    def update(self, ctx: RequestContext, snapshot_id: str,
               body: dict[str, Any]) -> ShareSnapshot:
        with self.db.write() as session:
            snap = visible_snapshot(ctx, snapshots_repo.get(session, snapshot_id))
            policy.authorize_on(ctx, "share:snapshot_update", snap)
            for field, column in (("name", "display_name"), ("display_name", "display_name"),
                                  ("description", "display_description"),
                                  ("display_description", "display_description")):
                if field in body:
                    setattr(snap, column, validation.text(body[field], field))
        return self.get(ctx, snapshot_id)

    def delete(self, ctx: RequestContext, snapshot_id: str, *, force: bool = False) -> None:
        with self.db.write() as session:
            snap = visible_snapshot(ctx, snapshots_repo.get(session, snapshot_id))
            policy.authorize_on(ctx, "share_snapshot:force_delete" if force
                                else "share:delete_snapshot", snap)
            if snap.status not in SNAPSHOT_DELETABLE and not force:
                raise Forbidden(f"Snapshot status must be one of "
                                f"{', '.join(sorted(SNAPSHOT_DELETABLE))}, not {snap.status}.")
            share = shares_repo.get_share(session, snap.share_id)
            _reserve_release(session, self.conf, snap, share.share_type_id, "delete")
            if force:  # an admin's force_delete leaves any state
                snap.status = SnapshotStatus.DELETING
            else:
                snapshots_repo.set_status(snap, SnapshotStatus.DELETING)
            host = (share.instance.host or "").partition("#")[0]
        self.share_rpc.delete_snapshot(ctx, host, snapshot_id)

    def list(self, ctx: RequestContext, params: dict[str, str],
             max_limit: int) -> list[ShareSnapshot]:
        policy.authorize(ctx, "share_snapshot:get_all_snapshots")
        query = select(ShareSnapshot).where(ShareSnapshot.deleted == "")
        all_tenants = validation.boolean(params.get("all_tenants", "0"), "all_tenants") \
            and policy.authorize(ctx, "share_snapshot:list_all_projects", do_raise=False)
        if not all_tenants:
            query = query.where(ShareSnapshot.project_id == ctx.project_id)
        elif params.get("project_id"):
            query = query.where(ShareSnapshot.project_id == params["project_id"])
        for key, column in (("name", ShareSnapshot.display_name),
                            ("status", ShareSnapshot.status),
                            ("share_id", ShareSnapshot.share_id),
                            ("size", ShareSnapshot.size),
                            ("description", ShareSnapshot.display_description)):
            if key in params:
                query = query.where(column == params[key])
        with self.db.read() as session:
            return list(session.scalars(page(query, params, SORT_KEYS, max_limit)))

    def manage(self, ctx: RequestContext, body: dict[str, Any]) -> ShareSnapshot:
        share_id = validation.uuid_like(body.get("share_id"), "share_id")
        location = validation.text(body.get("provider_location"), "provider_location",
                                   allow_none=False, allow_empty=False) or ""
        name = validation.text(body.get("name", body.get("display_name")), "name")
        description = validation.text(
            body.get("description", body.get("display_description")), "description")
        options = validation.metadata(body.get("driver_options"), "driver_options")
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            if share.instance.status != ShareStatus.AVAILABLE or not share.instance.host:
                raise Invalid(f"Share {share_id} must be available to manage a snapshot.")
            snap = ShareSnapshot(share_id=share.id, user_id=ctx.user_id,
                                 project_id=share.project_id, display_name=name,
                                 display_description=description, size=share.size,
                                 share_size=share.size, share_proto=share.share_proto,
                                 status=SnapshotStatus.MANAGE_STARTING,
                                 provider_location=location)
            session.add(snap)
            session.flush()
            host, snap_id = share.instance.host.partition("#")[0], snap.id
        created = self.get(ctx, snap_id)
        self.share_rpc.manage_snapshot(ctx, host, snap_id, options)
        return created

    def unmanage(self, ctx: RequestContext, snapshot_id: str) -> None:
        with self.db.write() as session:
            snap = visible_snapshot(ctx, snapshots_repo.get(session, snapshot_id))
            share = shares_repo.get_share(session, snap.share_id)
            _reserve_release(session, self.conf, snap, share.share_type_id, "unmanage")
            snapshots_repo.set_status(snap, SnapshotStatus.UNMANAGE_STARTING)
            host = (share.instance.host or "").partition("#")[0]
        self.share_rpc.unmanage_snapshot(ctx, host, snapshot_id)

    def reset_status(self, ctx: RequestContext, snapshot_id: str, status: Any) -> None:
        allowed = {s.value for s in SnapshotStatus} - {"deleted", "unmanaged"}
        if not isinstance(status, str) or status not in allowed:
            raise Invalid(f"Invalid status {status!r}.")
        with self.db.write() as session:
            visible_snapshot(ctx, snapshots_repo.get(session, snapshot_id)).status = status
