"""Share groups as the API handles them: validate, authorise, write, then send.

A group is placed by the scheduler on a pool every one of its share types may use; a
group from a group snapshot goes straight to its source group's pool, with one new
share per member of the snapshot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import (
    AbacaError,
    Conflict,
    Invalid,
    NotFound,
    ServiceUnavailable,
)
from abaca.common.messages import Action, Detail
from abaca.common.states import SHARE_GROUP_DELETABLE, ShareGroupStatus, ShareStatus
from abaca.common.types import ShareGroupSpec
from abaca.db.models import (
    Share,
    ShareGroup,
    ShareGroupShareType,
    ShareGroupSnapshot,
    ShareGroupType,
    ShareInstance,
    ShareType,
)
from abaca.db.repositories import services as services_repo
from abaca.db.repositories import share_groups as groups_repo
from abaca.db.session import Database
from abaca.scheduler.rpcapi import SchedulerAPI
from abaca.services import quotas, share_group_types, share_types, validation
from abaca.services.paging import page
from abaca.services.share_actions import ShareActions
from abaca.share.rpcapi import ShareAPI

LOG = logging.getLogger(__name__)
G = ShareGroupStatus

CREATE_FIELDS = {"name", "description", "share_types", "share_group_type_id",
                 "source_share_group_snapshot_id", "share_network_id", "availability_zone"}
SORT_KEYS = {"id": ShareGroup.id, "project_id": ShareGroup.project_id,
             "share_group_type_id": ShareGroup.share_group_type_id,
             "name": ShareGroup.display_name, "status": ShareGroup.status,
             "host": ShareGroup.host, "share_network_id": ShareGroup.share_network_id,
             "availability_zone": ShareGroup.availability_zone,
             "created_at": ShareGroup.created_at, "updated_at": ShareGroup.updated_at}
FILTERS = {"name": ShareGroup.display_name, "status": ShareGroup.status,
           "description": ShareGroup.display_description,
           "share_group_type_id": ShareGroup.share_group_type_id,
           "source_share_group_snapshot_id": ShareGroup.source_share_group_snapshot_id,
           "share_network_id": ShareGroup.share_network_id,
           "availability_zone": ShareGroup.availability_zone}
ADMIN_FILTERS = {"host": ShareGroup.host, "share_server_id": ShareGroup.share_server_id}


def _count(model: Any) -> quotas.Counter:
    def count(session: Session, project: str, user: str, share_type: str) -> int:
        query = select(func.count(model.id)).where(model.project_id == project,
                                                   model.deleted == "")
        if user:
            query = query.where(model.user_id == user)
        return int(session.scalar(query) or 0)

    return count


quotas.register_counter("share_groups", _count(ShareGroup))
quotas.register_counter("share_group_snapshots", _count(ShareGroupSnapshot))


def delete_origin(kind: str, ident: str) -> str:
    """The tag of the quota reservation a delete of a group or group snapshot holds
    until the share service has removed it."""
    return quotas.origin(kind, ident, "delete")


def target(group: ShareGroup) -> dict[str, Any]:
    return {"project_id": group.project_id, "user_id": group.user_id}


def visible_group(ctx: RequestContext, group: ShareGroup) -> ShareGroup:
    """The group if the caller may see it; other projects' groups do not exist for them."""
    if ctx.is_admin or group.project_id == ctx.project_id:
        return group
    raise NotFound(f"Share group {group.id} could not be found.")


def _dhss(st: ShareType) -> bool:
    value = st.specs().get("driver_handles_share_servers", "False")
    return validation.boolean(value.removeprefix("<is>").strip(),
                              "driver_handles_share_servers")


@dataclass
class ShareGroupServices:
    conf: Any
    db: Database
    scheduler_rpc: SchedulerAPI
    share_rpc: ShareAPI

    # reads -------------------------------------------------------------------------

    def get(self, ctx: RequestContext, group_id: str) -> ShareGroup:
        with self.db.read() as session:
            group = visible_group(ctx, groups_repo.get(session, group_id))
        policy.authorize(ctx, "share_group:get", target(group))
        return group

    def list_groups(self, ctx: RequestContext, params: dict[str, str], *, inexact: bool,
                    max_limit: int) -> list[ShareGroup]:
        policy.authorize(ctx, "share_group:get_all")
        params = dict(params)
        if "group_type_id" in params:
            params["share_group_type_id"] = params.pop("group_type_id")
        query = select(ShareGroup).where(ShareGroup.deleted == "")
        all_tenants = ctx.is_admin and validation.boolean(params.get("all_tenants", "0"),
                                                          "all_tenants")
        if not all_tenants:
            query = query.where(ShareGroup.project_id == ctx.project_id)
        elif params.get("project_id"):
            query = query.where(ShareGroup.project_id == params["project_id"])
        for key, column in FILTERS.items():
            if key in params:
                query = query.where(column == params[key])
        for key, column in ADMIN_FILTERS.items():
            if key in params and ctx.is_admin:
                query = query.where(column == params[key])
        if inexact:
            for key, column in (("name~", ShareGroup.display_name),
                                ("description~", ShareGroup.display_description)):
                if params.get(key):
                    query = query.where(column.ilike(f"%{params[key]}%"))
        with self.db.read() as session:
            return list(session.scalars(page(query, params, SORT_KEYS, max_limit)))

    # create --------------------------------------------------------------------------

    def create(self, ctx: RequestContext, body: dict[str, Any]) -> ShareGroup:
        policy.authorize(ctx, "share_group:create")
        validation.only_keys(body, CREATE_FIELDS, "share_group")
        source_id = body.get("source_share_group_snapshot_id")
        if source_id is not None:
            source_id = validation.uuid_like(source_id, "source_share_group_snapshot_id")
            for field in ("share_types", "share_network_id", "availability_zone"):
                if body.get(field):
                    raise Invalid(f"Cannot supply both '{field}' and "
                                  "'source_share_group_snapshot_id': the group inherits it "
                                  "from the source.")
        name = validation.text(body.get("name"), "name")
        description = validation.text(body.get("description"), "description")
        type_refs = body.get("share_types")
        if type_refs is not None and (not isinstance(type_refs, list) or not all(
                isinstance(t, str) and t for t in type_refs)):
            raise Invalid("The 'share_types' attribute must be a list of share type ids.")
        network_id = body.get("share_network_id")
        az = validation.text(body.get("availability_zone"), "availability_zone")
        group_type_ref = body.get("share_group_type_id")
        if group_type_ref is not None:
            group_type_ref = validation.uuid_like(group_type_ref, "share_group_type_id")
        with self.db.write() as session:
            source = None
            if source_id:
                source = self._source_snapshot(session, ctx, source_id)
                source_group = groups_repo.get(session, source.share_group_id)
                type_ids = source_group.share_type_ids()
                az = source_group.availability_zone
                # unless another is named, the new group has its source's group type
                group_type_ref = group_type_ref or source_group.share_group_type_id
            else:
                type_ids = self._share_types(session, ctx, type_refs)
            gtype = self._group_type(session, ctx, group_type_ref)
            types = [share_types.find(session, t) for t in type_ids]
            if not set(type_ids) <= set(gtype.share_type_ids()):
                raise Invalid("The specified share types must be a subset of the share "
                              "types supported by the share group type.")
            modes = {_dhss(st) for st in types}
            if len(modes) > 1:
                raise Invalid("The specified share_types cannot have conflicting values for "
                              "the driver_handles_share_servers extra spec.")
            if network_id is not None:
                if False in modes:
                    raise Invalid("When using a share types with the "
                                  "driver_handles_share_servers extra spec as False, a "
                                  "share_network_id must not be provided.")
                raise Invalid("Share groups on share networks (driver_handles_share_servers "
                              "True) are not supported yet.")
            if True in modes:
                raise Invalid("When using a share type with the driver_handles_share_servers "
                              "extra spec as True, a share_network_id must be provided.")
            if az and not source and az not in {
                    z.name for z in services_repo.list_availability_zones(session)}:
                raise NotFound(f"Availability zone {az} could not be found.")
            quotas.consume(session, self.conf, quotas.Scope(ctx.project_id or "", ctx.user_id),
                           {"share_groups": 1})
            group = ShareGroup(user_id=ctx.user_id, project_id=ctx.project_id or "",
                               display_name=name, display_description=description,
                               status=G.CREATING, share_group_type_id=gtype.id,
                               availability_zone=az,
                               source_share_group_snapshot_id=source_id or None)
            session.add(group)
            session.flush()
            for type_id in type_ids:
                session.add(ShareGroupShareType(share_group_id=group.id,
                                                share_type_id=type_id))
            host = None
            if source is not None:
                source_group = groups_repo.get(session, source.share_group_id)
                host = group.host = source_group.host
                group.consistent_snapshot_support = source_group.consistent_snapshot_support
                self._member_shares(session, ctx, group, source.members)
            group_id = group.id
            spec = ShareGroupSpec(share_group_id=group.id, project_id=group.project_id,
                                  share_types=tuple(share_types.spec_of(st) for st in types),
                                  group_specs=gtype.specs(), availability_zone=az)
        # The answer shows what was recorded, not how far the services got since.
        created = self.get(ctx, group_id)
        try:
            if host:
                self.share_rpc.create_share_group(ctx, host.partition("#")[0], group_id,
                                                  [{"host": host, "weight": 0.0}])
            else:
                self.scheduler_rpc.create_share_group(ctx, spec)
        except Exception as exc:
            LOG.exception("share group %s: could not send the create request", group_id)
            groups_repo.fail_group(self.db, ctx, group_id, Action.CREATE_SHARE_GROUP,
                                   Detail.UNKNOWN_ERROR)
            raise ServiceUnavailable("The share group was recorded but could not be sent "
                                     "for creation; it is in error state.") from exc
        return created

    def _group_type(self, session: Session, ctx: RequestContext,
                    ref: str | None) -> ShareGroupType:
        if ref is None:
            found = share_group_types.default(session, self.conf)
            if found is None:
                raise Invalid("Must specify a share group type as a default share group "
                              "type has not been configured.")
            return found
        try:
            return share_group_types.find(session, ref, ctx.project_id, ctx.is_admin)
        except NotFound as exc:
            raise Invalid(f"The specified share group type {ref} does not exist.") from exc

    def _share_types(self, session: Session, ctx: RequestContext,
                     refs: list[str] | None) -> list[str]:
        if not refs:
            found = share_types.default(session, self.conf)
            if found is None:
                raise Invalid("Must specify at least one share type as a default share "
                              "type has not been configured.")
            return [found.id]
        ids: list[str] = []
        for ref in refs:
            try:
                st = share_types.find(session, ref, ctx.project_id, ctx.is_admin)
            except NotFound as exc:
                raise Invalid(f"Share type with id {ref} could not be found.") from exc
            if st.id not in ids:
                ids.append(st.id)
        return ids

    def _source_snapshot(self, session: Session, ctx: RequestContext,
                         snapshot_id: str) -> Any:
        try:
            snap = groups_repo.get_snapshot(session, snapshot_id)
            if not (ctx.is_admin or snap.project_id == ctx.project_id):
                raise NotFound(f"Share group snapshot {snapshot_id} could not be found.")
        except NotFound as exc:
            raise Invalid(exc.message) from exc
        if snap.status != G.AVAILABLE:
            raise Conflict(f"Share group snapshot status must be available, not "
                           f"{snap.status}.")
        return snap

    def _member_shares(self, session: Session, ctx: RequestContext, group: ShareGroup,
                       members: list[Any]) -> None:
        """One new share per member of the source snapshot, created from it later."""
        for member in members:
            quotas.consume(session, self.conf,
                           quotas.Scope(group.project_id, ctx.user_id, member.share_type_id),
                           {"shares": 1, "gigabytes": member.size,
                            "per_share_gigabytes": member.size})
            share = Share(user_id=ctx.user_id, project_id=group.project_id,
                          size=member.size, share_proto=member.share_proto,
                          share_type_id=member.share_type_id, share_group_id=group.id,
                          source_share_group_snapshot_member_id=member.id)
            session.add(share)
            session.flush()
            session.add(ShareInstance(share_id=share.id,
                                      availability_zone=group.availability_zone,
                                      status=ShareStatus.CREATING_FROM_SNAPSHOT))

    # update / delete -----------------------------------------------------------------

    def update(self, ctx: RequestContext, group_id: str, body: dict[str, Any]) -> ShareGroup:
        changes = validation.renames(body)
        with self.db.write() as session:
            group = visible_group(ctx, groups_repo.get(session, group_id))
            policy.authorize(ctx, "share_group:update", target(group))
            for attr, value in changes.items():
                setattr(group, attr, value)
        return self.get(ctx, group_id)

    def delete(self, ctx: RequestContext, group_id: str) -> None:
        with self.db.write() as session:
            group = visible_group(ctx, groups_repo.get(session, group_id))
            policy.authorize(ctx, "share_group:delete", target(group))
            scope = quotas.Scope(group.project_id, group.user_id)
            if not group.host:
                quotas.release(session, self.conf, scope, {"share_groups": 1})
                groups_repo.forget_group(session, group)
                return
            if group.status not in SHARE_GROUP_DELETABLE:
                raise Conflict("Share group status must be one of "
                               f"{', '.join(sorted(SHARE_GROUP_DELETABLE))}, not "
                               f"{group.status}.")
            if groups_repo.snapshots_of(session, group.id):
                raise Conflict("Cannot delete a share group with snapshots.")
            if groups_repo.shares_of(session, group.id):
                raise Conflict("Cannot delete a share group with shares.")
            groups_repo.set_status(group, G.DELETING)
            # given back by the share service once the backend has removed the group
            quotas.reserve(session, self.conf, scope, {"share_groups": -1},
                           origin=delete_origin("share_group", group.id))
            host = group.host.partition("#")[0]
        self.share_rpc.delete_share_group(ctx, host, group_id)

    def reset_status(self, ctx: RequestContext, group_id: str, status: Any) -> None:
        if not isinstance(status, str) or status not in set(ShareGroupStatus) - {G.DELETED}:
            raise Invalid(f"Invalid status {status!r}.")
        with self.db.write() as session:
            group = visible_group(ctx, groups_repo.get(session, group_id))
            policy.authorize(ctx, "share_group:reset_status", target(group))
            group.status = status

    def force_delete(self, ctx: RequestContext, group_id: str) -> None:
        """Remove the group whatever its status, with its group snapshots' rows; its
        shares are force-deleted from their backend as an admin's share force_delete."""
        with self.db.write() as session:
            group = visible_group(ctx, groups_repo.get(session, group_id))
            policy.authorize(ctx, "share_group:force_delete", target(group))
            scope = quotas.Scope(group.project_id, group.user_id)
            for snap in groups_repo.snapshots_of(session, group.id):
                quotas.rollback_origin(session, delete_origin("share_group_snapshot", snap.id))
                quotas.release(session, self.conf, quotas.Scope(snap.project_id, snap.user_id),
                               {"share_group_snapshots": 1})
                groups_repo.forget_snapshot(session, snap)
            share_ids = [s.id for s in groups_repo.shares_of(session, group.id)]
            quotas.rollback_origin(session, delete_origin("share_group", group.id))
            quotas.release(session, self.conf, scope, {"share_groups": 1})
            groups_repo.forget_group(session, group)
        actions = ShareActions(self.conf, self.db, self.share_rpc, self.scheduler_rpc)
        for share_id in share_ids:
            try:
                actions.force_delete(ctx, share_id)
            except AbacaError as exc:
                # the group is gone already; a share that refuses (a replicated one, say)
                # stays, outside any group, for the administrator to deal with
                LOG.warning("share group %s: share %s not force-deleted: %s", group_id,
                            share_id, exc.message)
                with self.db.write() as session:
                    session.get_one(Share, share_id).share_group_id = None

