"""Share group snapshots as the API handles them: validate, authorise, write, send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Conflict, Invalid, NotFound
from abaca.common.states import SHARE_GROUP_DELETABLE, ShareGroupStatus, ShareStatus
from abaca.db.models import ShareGroup, ShareGroupSnapshot, ShareGroupSnapshotMember
from abaca.db.repositories import share_groups as groups_repo
from abaca.db.session import Database
from abaca.services import quotas, validation
from abaca.services.paging import page
from abaca.services.share_groups import delete_origin, visible_group
from abaca.share.rpcapi import ShareAPI

G = ShareGroupStatus
SORT_KEYS = {"id": ShareGroupSnapshot.id, "name": ShareGroupSnapshot.display_name,
             "status": ShareGroupSnapshot.status,
             "share_group_id": ShareGroupSnapshot.share_group_id,
             "project_id": ShareGroupSnapshot.project_id,
             "created_at": ShareGroupSnapshot.created_at,
             "updated_at": ShareGroupSnapshot.updated_at}
FILTERS = {"name": ShareGroupSnapshot.display_name, "status": ShareGroupSnapshot.status,
           "description": ShareGroupSnapshot.display_description,
           "share_group_id": ShareGroupSnapshot.share_group_id}


def target(snap: ShareGroupSnapshot) -> dict[str, Any]:
    return {"project_id": snap.project_id, "user_id": snap.user_id}


def visible_snapshot(ctx: RequestContext, snap: ShareGroupSnapshot) -> ShareGroupSnapshot:
    if ctx.is_admin or snap.project_id == ctx.project_id:
        return snap
    raise NotFound(f"Share group snapshot {snap.id} could not be found.")


@dataclass
class ShareGroupSnapshotServices:
    conf: Any
    db: Database
    share_rpc: ShareAPI

    def get(self, ctx: RequestContext, snapshot_id: str) -> ShareGroupSnapshot:
        with self.db.read() as session:
            snap = visible_snapshot(ctx, groups_repo.get_snapshot(session, snapshot_id))
        policy.authorize(ctx, "share_group_snapshot:get", target(snap))
        return snap

    def list_snapshots(self, ctx: RequestContext, params: dict[str, str],
                       max_limit: int) -> list[ShareGroupSnapshot]:
        policy.authorize(ctx, "share_group_snapshot:get_all")
        query = select(ShareGroupSnapshot).where(ShareGroupSnapshot.deleted == "")
        all_tenants = ctx.is_admin and validation.boolean(params.get("all_tenants", "0"),
                                                          "all_tenants")
        if not all_tenants:
            query = query.where(ShareGroupSnapshot.project_id == ctx.project_id)
        elif params.get("project_id"):
            query = query.where(ShareGroupSnapshot.project_id == params["project_id"])
        for key, column in FILTERS.items():
            if key in params:
                query = query.where(column == params[key])
        with self.db.read() as session:
            return list(session.scalars(page(query, params, SORT_KEYS, max_limit)))

    def create(self, ctx: RequestContext, body: dict[str, Any]) -> ShareGroupSnapshot:
        policy.authorize(ctx, "share_group_snapshot:create")
        validation.only_keys(body, {"share_group_id", "name", "description"},
                             "share_group_snapshot")
        group_id = validation.uuid_like(body.get("share_group_id"), "share_group_id")
        name = validation.text(body.get("name"), "name")
        description = validation.text(body.get("description"), "description")
        with self.db.write() as session:
            try:
                group = visible_group(ctx, groups_repo.get(session, group_id))
            except NotFound as exc:
                raise Invalid(exc.message) from exc
            if group.status != G.AVAILABLE:
                raise Conflict(f"Share group status must be available, not {group.status}.")
            shares = groups_repo.shares_of(session, group.id)
            for share in shares:
                if share.instance.status != ShareStatus.AVAILABLE:
                    raise Conflict(f"Share {share.id} in share group must have status of "
                                   "available in order to create a group snapshot.")
            quotas.consume(session, self.conf, quotas.Scope(group.project_id, ctx.user_id),
                           {"share_group_snapshots": 1})
            snap = ShareGroupSnapshot(share_group_id=group.id, user_id=ctx.user_id,
                                      project_id=group.project_id, display_name=name,
                                      display_description=description, status=G.CREATING)
            session.add(snap)
            session.flush()
            for share in shares:
                session.add(ShareGroupSnapshotMember(
                    share_group_snapshot_id=snap.id, share_id=share.id,
                    share_instance_id=share.instance.id, user_id=ctx.user_id,
                    project_id=group.project_id, size=share.size,
                    share_proto=share.share_proto, share_type_id=share.share_type_id,
                    status=G.CREATING))
            host, snap_id = (group.host or "").partition("#")[0], snap.id
        created = self.get(ctx, snap_id)
        self.share_rpc.create_share_group_snapshot(ctx, host, snap_id)
        return created

    def update(self, ctx: RequestContext, snapshot_id: str,
               body: dict[str, Any]) -> ShareGroupSnapshot:
        changes = validation.renames(body)
        with self.db.write() as session:
            snap = visible_snapshot(ctx, groups_repo.get_snapshot(session, snapshot_id))
            policy.authorize(ctx, "share_group_snapshot:update", target(snap))
            for attr, value in changes.items():
                setattr(snap, attr, value)
        return self.get(ctx, snapshot_id)

    def delete(self, ctx: RequestContext, snapshot_id: str, *, force: bool = False) -> None:
        rule = "share_group_snapshot:force_delete" if force else "share_group_snapshot:delete"
        with self.db.write() as session:
            snap = visible_snapshot(ctx, groups_repo.get_snapshot(session, snapshot_id))
            policy.authorize(ctx, rule, target(snap))
            if not force and session.scalar(select(ShareGroup.id).where(
                    ShareGroup.source_share_group_snapshot_id == snap.id,
                    ShareGroup.status == G.CREATING, ShareGroup.deleted == "")):
                raise Conflict("A share group is being created from this share group "
                               "snapshot; delete it once that has finished.")
            if force:
                snap.status = G.DELETING
            elif snap.status not in SHARE_GROUP_DELETABLE:
                raise Conflict("Share group snapshot status must be one of "
                               f"{', '.join(sorted(SHARE_GROUP_DELETABLE))}, not "
                               f"{snap.status}.")
            else:
                groups_repo.set_status(snap, G.DELETING)
            tag = delete_origin("share_group_snapshot", snap.id)
            quotas.rollback_origin(session, tag)  # an earlier attempt still pending
            # given back by the share service once the backend has removed it
            quotas.reserve(session, self.conf, quotas.Scope(snap.project_id, snap.user_id),
                           {"share_group_snapshots": -1}, origin=tag)
            group = groups_repo.get(session, snap.share_group_id)
            host = (group.host or "").partition("#")[0]
        self.share_rpc.delete_share_group_snapshot(ctx, host, snapshot_id)

    def reset_status(self, ctx: RequestContext, snapshot_id: str, status: Any) -> None:
        if not isinstance(status, str) or status not in set(ShareGroupStatus) - {G.DELETED}:
            raise Invalid(f"Invalid status {status!r}.")
        with self.db.write() as session:
            snap = visible_snapshot(ctx, groups_repo.get_snapshot(session, snapshot_id))
            policy.authorize(ctx, "share_group_snapshot:reset_status", target(snap))
            snap.status = status
