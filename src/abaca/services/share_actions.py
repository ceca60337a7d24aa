"""Share actions other than access: extend, shrink, revert, manage, unmanage, and the
admin's reset_status and force_delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Conflict, Forbidden, Invalid, NotFound
from abaca.common.states import ShareStatus, SnapshotStatus
from abaca.common.types import RequestSpec
from abaca.db.models import Share, ShareInstance
from abaca.db.repositories import services as services_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.db.session import Database
from abaca.scheduler.rpcapi import SchedulerAPI
from abaca.services import quotas, share_types, validation
from abaca.services.share_replicas import quota_deltas as replica_quota
from abaca.services.shares import visible
from abaca.share.rpcapi import ShareAPI

S = ShareStatus


def _service_host(inst: ShareInstance) -> str:
    if not inst.host:
        raise Invalid("The share is not on a backend.")
    return inst.host.partition("#")[0]


@dataclass
class ShareActions:
    conf: Any
    db: Database
    share_rpc: ShareAPI
    scheduler_rpc: SchedulerAPI

    def resize(self, ctx: RequestContext, share_id: str, new_size: Any, *,
               grow: bool, force: bool = False) -> None:
        """Extend (``grow``) or shrink. An administrator's forced extend (2.64) skips
        the scheduler's check that the pool has room."""
        size = validation.positive_int(new_size, "new_size")
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            target = {"project_id": share.project_id, "user_id": share.user_id}
            policy.authorize(ctx, "share:extend" if grow else "share:shrink", target)
            if force:
                policy.authorize(ctx, "share:force_extend", target)
            inst = share.instance
            if inst.status != S.AVAILABLE:
                raise Invalid(f"Share {share_id} is {inst.status}; it must be available to "
                              "be resized.")
            if grow and size <= share.size:
                raise Invalid(f"New size for extend must be greater than the current size "
                              f"({share.size} GiB).")
            if not grow and size >= share.size:
                raise Invalid(f"New size for shrink must be less than the current size "
                              f"({share.size} GiB).")
            if share.share_type is not None:
                _check_type_limits(ctx, share.share_type, size, grow, target)
            # Committed by the share service when the backend resized the share, rolled
            # back when it or the scheduler refused.
            quotas.reserve(session, self.conf, quotas.share_scope(share),
                           ({"gigabytes": size - share.size, "per_share_gigabytes": size}
                            if grow else {"gigabytes": size - share.size})
                           | ({"replica_gigabytes": (size - share.size) * len(share.instances)}
                              if share.replication_type else {}),
                           origin=quotas.origin("share", share.id, "resize"))
            shares_repo.set_status(inst, S.EXTENDING if grow else S.SHRINKING)
            host, instance_id, pool = _service_host(inst), inst.id, inst.host or ""
            spec = RequestSpec(share_id=share.id, instance_id=inst.id,
                               project_id=share.project_id, size=size,
                               share_proto=share.share_proto,
                               share_type=(share_types.spec_of(share.share_type)
                                           if share.share_type else None),
                               operation="extend")
            increase = size - share.size
        if grow and not force:  # the scheduler checks the pool has room first
            self.scheduler_rpc.extend_share(ctx, instance_id, pool, size, increase, spec)
        else:
            self.share_rpc.resize_share(ctx, host, instance_id, size)

    def revert(self, ctx: RequestContext, share_id: str, snapshot_id: Any) -> None:
        snapshot_id = validation.uuid_like(snapshot_id, "snapshot_id")
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            policy.authorize_on(ctx, "share:revert_to_snapshot", share)
            inst = share.instance
            snap = snapshots_repo.get(session, snapshot_id)
            if snap.share_id != share.id:
                raise Invalid(f"Snapshot {snapshot_id} is not a snapshot of share {share_id}.")
            if inst.status != S.AVAILABLE or snap.status != SnapshotStatus.AVAILABLE:
                raise Invalid("Both the share and the snapshot must be available to revert.")
            latest = [s for s in snapshots_repo.of_share(session, share.id)
                      if s.status == SnapshotStatus.AVAILABLE]
            if not latest or max(latest, key=lambda s: (s.created_at, s.id)).id != snap.id:
                raise Invalid("A share can only be reverted to its latest snapshot.")
            if share.size < snap.share_size:
                raise Invalid("The share is smaller than it was when the snapshot was taken; "
                              "extend it first.")
            shares_repo.set_status(inst, S.REVERTING)
            snapshots_repo.set_status(snap, SnapshotStatus.RESTORING)
            host, instance_id = _service_host(inst), inst.id
        self.share_rpc.revert_to_snapshot(ctx, host, instance_id, snapshot_id)

    def manage(self, ctx: RequestContext, body: dict[str, Any]) -> str:
        proto = body.get("protocol")
        if not isinstance(proto, str) or proto.upper() not in {
                p.upper() for p in self.conf.enabled_share_protocols}:
            raise Invalid(f"Invalid share protocol {proto!r}.")
        export_path = validation.text(body.get("export_path"), "export_path", max_len=2000,
                                      allow_none=False, allow_empty=False) or ""
        service_host = validation.text(body.get("service_host"), "service_host",
                                       allow_none=False, allow_empty=False) or ""
        if service_host.count("@") != 1 or service_host.count("#") != 1:
            raise Invalid("service_host must be host@backend#pool.")
        name = validation.text(body.get("name", body.get("display_name")), "name")
        description = validation.text(
            body.get("description", body.get("display_description")), "description")
        options = validation.metadata(body.get("driver_options"), "driver_options")
        is_public = validation.boolean(body.get("is_public", False), "is_public")
        with self.db.write() as session:
            backend = service_host.partition("#")[0]
            svc = services_repo.get_by_host_binary(session, backend, "abaca-share")
            if svc is None or not services_repo.is_up(svc, self.conf.service_down_time):
                raise Invalid(f"Service {backend} is not up.")
            type_ref = body.get("share_type")
            st = (share_types.find(session, str(type_ref)) if type_ref
                  else share_types.default(session, self.conf))
            if st is None:
                raise Invalid("No share type given and no default share type configured.")
            share = Share(user_id=ctx.user_id, project_id=ctx.project_id or "",
                          display_name=name, display_description=description, size=1,
                          share_proto=proto.upper(), share_type_id=st.id,
                          is_public=is_public)
            session.add(share)
            session.flush()
            inst = ShareInstance(share_id=share.id, status=S.MANAGE_STARTING,
                                 host=service_host,
                                 availability_zone=(svc.availability_zone.name
                                                    if svc.availability_zone else None))
            session.add(inst)
            session.flush()
            share_id, instance_id = share.id, inst.id
        self.share_rpc.manage_share(ctx, backend, instance_id, export_path, options)
        return share_id

    def unmanage(self, ctx: RequestContext, share_id: str) -> None:
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            inst = share.instance
            if share.has_replicas:
                raise Conflict(f"Share {share.id} has replicas. It cannot be unmanaged "
                               "until all replicas are removed.")
            if snapshots_repo.of_share(session, share.id):
                raise Forbidden("Shares with snapshots cannot be unmanaged; unmanage or "
                                "delete the snapshots first.")
            if quotas.is_counted(inst.status):
                quotas.reserve(session, self.conf, quotas.share_scope(share),
                               {"shares": -1, "gigabytes": -share.size,
                                **replica_quota(share.replication_type, share.size, -1)},
                               origin=quotas.origin("share", share.id, "unmanage"))
            shares_repo.set_status(inst, S.UNMANAGE_STARTING)
            host, instance_id = _service_host(inst), inst.id
        self.share_rpc.unmanage_share(ctx, host, instance_id)

    def reset_status(self, ctx: RequestContext, share_id: str, status: Any) -> None:
        allowed = {s.value for s in ShareStatus} - {"deleted", "unmanaged"}
        if not isinstance(status, str) or status not in allowed:
            raise Invalid(f"Invalid status {status!r}.")
        with self.db.write() as session:
            visible(ctx, shares_repo.get_share(session, share_id)).instance.status = status

    def force_delete(self, ctx: RequestContext, share_id: str) -> None:
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            inst = share.instance
            if share.has_replicas:
                raise Conflict(f"Share {share.id} has replicas. Remove the replicas before "
                               "deleting the share.")
            counted = quotas.is_counted(inst.status)
            inst.status = S.DELETING
            tag = quotas.origin("share", share.id, "delete")
            quotas.rollback_origin(session, tag)  # an earlier delete still pending
            changes = [(quotas.share_scope(share), {
                "shares": -1, "gigabytes": -share.size,
                **replica_quota(share.replication_type, share.size, -1)})] if counted else []
            changes += [(quotas.Scope(snap.project_id, snap.user_id, share.share_type_id),
                         {"snapshots": -1, "snapshot_gigabytes": -snap.size})
                        for snap in snapshots_repo.of_share(session, share.id)
                        if quotas.is_counted(snap.status)]
            for scope, deltas in changes:
                if inst.host:  # committed by the share service once the backend deleted
                    quotas.reserve(session, self.conf, scope, deltas, origin=tag)
                else:
                    quotas.release(session, self.conf, scope, deltas)
            if not inst.host:
                shares_repo.delete_share_rows(session, inst)
                return
            host, instance_id = _service_host(inst), inst.id
        self.share_rpc.delete_share_instance(ctx, host, instance_id)


def _check_type_limits(ctx: RequestContext, st: Any, size: int, grow: bool,
                       target: dict[str, Any]) -> None:
    """The share type's size limits (2.61); an administrator may extend past the
    maximum (``share:extend_beyond_max_share_size_spec``)."""
    try:
        share_types.check_size(st, size, operation="extend" if grow else "shrink")
    except Invalid:
        if not grow or not policy.authorize(
                ctx, "share:extend_beyond_max_share_size_spec", target, do_raise=False):
            raise


def require_admin(ctx: RequestContext, what: str) -> None:
    if not ctx.is_admin:
        raise Forbidden(f"Only administrators may {what}.")


__all__ = ["NotFound", "ShareActions", "require_admin"]
