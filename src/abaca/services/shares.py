"""What the API does with shares: validate, check quota, write, then send.

Every write commits before its message is sent, so a service that receives the
message always finds the rows it refers to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Conflict, Forbidden, Invalid, NotFound, ServiceUnavailable
from abaca.common.messages import Action, Detail
from abaca.common.states import SHARE_DELETABLE, ShareStatus, SnapshotStatus
from abaca.common.types import RequestSpec
from abaca.db.models import Share, ShareInstance, ShareMetadata
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import services as services_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.db.session import Database
from abaca.scheduler.rpcapi import SchedulerAPI
from abaca.services import (
    quotas,
    scheduler_hints,
    share_group_shares,
    share_networks,
    share_types,
    validation,
)
from abaca.services.share_replicas import quota_deltas as replica_quota
from abaca.share.rpcapi import ShareAPI

LOG = logging.getLogger(__name__)
# Metadata keys only share:update_admin_only_metadata may set or remove (Manila's
# default [DEFAULT] admin_only_metadata: the scheduler hints of 2.65).
ADMIN_ONLY_METADATA = frozenset({"__affinity_same_host", "__affinity_different_host"})


@dataclass
class ShareServices:
    conf: Any
    db: Database
    scheduler_rpc: SchedulerAPI
    share_rpc: ShareAPI

    # reads ----------------------------------------------------------------------------

    def get(self, ctx: RequestContext, share_id: str) -> Share:
        with self.db.read() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
        # As Manila: a private share the caller may not get does not exist for them.
        if not share.is_public and not policy.authorize(ctx, "share:get",
                                                        policy.target(share), do_raise=False):
            raise NotFound(f"Share {share_id} could not be found.")
        return share

    # create ---------------------------------------------------------------------------

    def create(self, ctx: RequestContext, body: dict[str, Any], *,
               honour_az: bool, with_hints: bool = False, with_group: bool = False,
               with_only_host: bool = False) -> Share:
        policy.authorize(ctx, "share:create")
        proto = body.get("share_proto")
        if not isinstance(proto, str) or proto.upper() not in {
                p.upper() for p in self.conf.enabled_share_protocols}:
            raise Invalid(f"Invalid share protocol {proto!r}: expected one of "
                          f"{', '.join(self.conf.enabled_share_protocols)}.")
        snapshot_id = body.get("snapshot_id")
        if snapshot_id:
            snapshot_id = validation.uuid_like(snapshot_id, "snapshot_id")
        size_value = body.get("size")
        size = (validation.positive_int(size_value, "Share size")
                if size_value is not None or not snapshot_id else 0)
        name = validation.text(body.get("name", body.get("display_name")), "name")
        description = validation.text(
            body.get("description", body.get("display_description")), "description")
        metadata = validation.metadata(body.get("metadata"))
        is_public = validation.boolean(body.get("is_public", False), "is_public")
        if is_public:
            policy.authorize(ctx, "share:create_public_share")
        network_id = body.get("share_network_id")
        az = validation.text(body.get("availability_zone"), "availability_zone") \
            if honour_az else None
        if network_id:
            network_id = validation.uuid_like(network_id, "share_network_id")
        type_ref = body.get("share_type", body.get("volume_type"))
        hints = (scheduler_hints.parse(body.get("scheduler_hints"),
                                       with_only_host=with_only_host) if with_hints else {})
        # 2.67: the exact pool, for host admins only (403 for anyone else)
        only_host = scheduler_hints.only_host(body.get("scheduler_hints")) \
            if with_only_host else None
        if only_host:
            policy.authorize(ctx, "context_is_host_admin", {"project_id": ctx.project_id})
        parent_host = None
        with self.db.write() as session:
            if snapshot_id:
                snap = snapshots_repo.get(session, snapshot_id)
                if not (ctx.is_admin or snap.project_id == ctx.project_id):
                    raise NotFound(f"Snapshot {snapshot_id} could not be found.")
                if snap.status != SnapshotStatus.AVAILABLE:
                    raise Invalid(f"Snapshot {snapshot_id} is {snap.status}, not available.")
                parent = shares_repo.get_share(session, snap.share_id)
                size = size or snap.size
                if size < snap.size:
                    raise Invalid(f"Share size {size} GiB is smaller than the snapshot's "
                                  f"{snap.size} GiB.")
                if parent.share_proto != proto.upper():
                    raise Invalid("A share from a snapshot must use the protocol of the "
                                  f"snapshot's share ({parent.share_proto}).")
                parent_host = parent.instance.host
                if not parent_host:
                    raise Invalid(f"The share of snapshot {snapshot_id} is on no back end.")
                type_ref = type_ref or parent.share_type_id
                network_id = network_id or parent.share_network_id
            if type_ref:
                st = share_types.find(session, validation.text(type_ref, "share_type") or "",
                                      ctx.project_id, ctx.is_admin)
            else:
                found = share_types.default(session, self.conf)
                if found is None:
                    raise Invalid("No share type was given and no default share type is "
                                  "configured ([DEFAULT] default_share_type).")
                st = found
            specs = st.specs()
            dhss = validation.boolean(specs.get("driver_handles_share_servers", "False")
                                      .removeprefix("<is>").strip(),
                                      "driver_handles_share_servers")
            if dhss and not network_id:
                raise Invalid("Share network must be set when the "
                              "driver_handles_share_servers is true.")
            if network_id and not dhss:
                raise Invalid("Share network must not be set when the "
                              "driver_handles_share_servers is false.")
            group = (share_group_shares.placement(session, ctx, body["share_group_id"], st.id,
                                                  network_id)
                     if with_group and body.get("share_group_id") else None)
            az = group.availability_zone if group else az
            if az and az not in {
                    z.name for z in services_repo.list_availability_zones(session)}:
                raise NotFound(f"Availability zone {az} could not be found.")
            network_zones = (share_networks.check_for_share(session, ctx, network_id, az)
                             if network_id else None)
            share_types.check_size(st, size)
            share_types.check_zone(st, az)
            resolved_hints = scheduler_hints.resolve(session, ctx, hints)
            resolved_hints.update(group.hints if group else {})
            if only_host:
                resolved_hints[scheduler_hints.ONLY_HOST] = only_host
            metadata.update(scheduler_hints.as_metadata(hints))
            project = ctx.project_id or ""
            quotas.consume(session, self.conf, quotas.Scope(project, ctx.user_id, st.id),
                           {"shares": 1, "gigabytes": size, "per_share_gigabytes": size,
                            **replica_quota(st.specs().get("replication_type"), size)})
            share = Share(user_id=ctx.user_id, project_id=project, display_name=name,
                          display_description=description, size=size,
                          share_proto=proto.upper(), share_type_id=st.id, is_public=is_public,
                          snapshot_id=snapshot_id or None, share_network_id=network_id or None,
                          share_group_id=group.share_group_id if group else None,
                          replication_type=specs.get("replication_type") or None)
            session.add(share)
            session.flush()
            inst = ShareInstance(share_id=share.id, availability_zone=az,
                                 status=(ShareStatus.CREATING_FROM_SNAPSHOT if snapshot_id
                                         else ShareStatus.CREATING),
                                 # a replicated share starts as its own active replica
                                 replica_state="active" if share.replication_type else None,
                                 progress="0%" if snapshot_id else None)
            session.add(inst)
            for key, value in metadata.items():
                session.add(ShareMetadata(share_id=share.id, key=key, value=value))
            session.flush()
            spec = RequestSpec(share_id=share.id, instance_id=inst.id, project_id=project,
                               size=size, share_proto=share.share_proto,
                               share_type=share_types.spec_of(st), availability_zone=az,
                               snapshot_id=snapshot_id or None,
                               scheduler_hints=resolved_hints, snapshot_host=parent_host,
                               operation="create_from_snapshot" if snapshot_id else "create",
                               is_admin=ctx.is_admin, share_network_id=network_id or None,
                               network_zones=network_zones)
        # The answer shows what was recorded, not how far the services got since.
        created = self.get(ctx, spec.share_id)
        try:
            # Clones too: CreateFromSnapshotFilter keeps the pools that can reach the
            # snapshot, HostAffinityWeigher prefers its own pool.
            self.scheduler_rpc.create_share_instance(ctx, spec)
        except Exception as exc:
            LOG.exception("share %s: could not reach the scheduler", spec.share_id)
            self._fail(ctx, spec.instance_id, Action.ALLOCATE_HOST, Detail.UNKNOWN_ERROR)
            raise ServiceUnavailable("The share was recorded but the scheduler could not "
                                     "be reached; it is in error state.") from exc
        return created

    def _fail(self, ctx: RequestContext, instance_id: str, action: Action,
              detail: Detail) -> None:
        with self.db.write() as session:
            inst = shares_repo.get_instance(session, instance_id)
            shares_repo.set_status(inst, ShareStatus.ERROR)
            messages_repo.create(session, project_id=inst.share.project_id,
                                 resource_type="SHARE", resource_id=inst.share_id,
                                 action=action, detail=detail, request_id=ctx.request_id)

    # update / delete ------------------------------------------------------------------

    def update(self, ctx: RequestContext, share_id: str, body: dict[str, Any]) -> Share:
        if not isinstance(body, dict) or not body:
            raise Invalid("Nothing to update: give name, description or is_public.")
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            policy.authorize_on(ctx, "share:update", share)
            if "is_public" in body:
                policy.authorize_on(ctx, "share:set_public_share", share)
            for field, column in (("name", "display_name"), ("display_name", "display_name"),
                                  ("description", "display_description"),
                                  ("display_description", "display_description")):
                if field in body:
                    setattr(share, column, validation.text(body[field], field))
            if "is_public" in body:
                share.is_public = validation.boolean(body["is_public"], "is_public")
        return self.get(ctx, share_id)

    def delete(self, ctx: RequestContext, share_id: str,
               share_group_id: str | None = None) -> None:
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            policy.authorize_on(ctx, "share:delete", share)
            share_group_shares.check_delete(session, share, share_group_id)
            inst = share.instance
            if share.has_replicas:
                raise Conflict(f"Share {share.id} has replicas. Remove the replicas before "
                               "deleting the share.")
            dependents = snapshots_repo.of_share(session, share.id)
            if dependents:
                raise Forbidden(f"Share {share.id} still has {len(dependents)} dependent "
                                "snapshots; delete them first.")
            if inst.status not in SHARE_DELETABLE:
                raise Forbidden(f"Share status must be one of "
                                f"{', '.join(sorted(SHARE_DELETABLE))}, not {inst.status}.")
            counted = quotas.is_counted(inst.status)
            shares_repo.set_status(inst, ShareStatus.DELETING)
            if not inst.host:
                # Never placed on a backend: nothing to remove there.
                if counted:
                    quotas.release(session, self.conf, quotas.share_scope(share),
                                   {"shares": 1, "gigabytes": share.size,
                                    **replica_quota(share.replication_type, share.size)})
                shares_repo.delete_share_rows(session, inst)
                return
            if counted:  # the share service commits this once the backend deleted it
                quotas.reserve(session, self.conf, quotas.share_scope(share),
                               {"shares": -1, "gigabytes": -share.size,
                                **replica_quota(share.replication_type, share.size, -1)},
                               origin=quotas.origin("share", share.id, "delete"))
            service_host, instance_id = inst.host.partition("#")[0], inst.id
        self.share_rpc.delete_share_instance(ctx, service_host, instance_id)

    # metadata -------------------------------------------------------------------------

    def metadata(self, ctx: RequestContext, share_id: str) -> dict[str, str]:
        share = self.get(ctx, share_id)
        policy.authorize_on(ctx, "share:get_share_metadata", share)
        return share.metadata_dict()

    def set_metadata(self, ctx: RequestContext, share_id: str, items: Any, *,
                     replace: bool) -> dict[str, str]:
        checked = validation.metadata(items)
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            policy.authorize_on(ctx, "share:update_share_metadata", share)
            rows = {m.key: m for m in session.scalars(select(ShareMetadata).where(
                ShareMetadata.share_id == share.id, ShareMetadata.deleted == ""))}
            if any(k in ADMIN_ONLY_METADATA and (k not in rows or rows[k].value != val)
                   for k, val in checked.items()):
                policy.authorize_on(ctx, "share:update_admin_only_metadata", share)
            # Replacing all items keeps the admin-only ones the caller may not remove.
            keep = set() if not replace or policy.authorize(
                ctx, "share:update_admin_only_metadata", policy.target(share),
                do_raise=False) else ADMIN_ONLY_METADATA
            for key, row in rows.items():
                if key in checked:
                    row.value = checked[key]
                elif replace and key not in keep:
                    row.soft_delete()
            for key, value in checked.items():
                if key not in rows:
                    session.add(ShareMetadata(share_id=share.id, key=key, value=value))
        return self.metadata(ctx, share_id)

    def delete_metadata(self, ctx: RequestContext, share_id: str, key: str) -> None:
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            policy.authorize_on(ctx, "share:delete_share_metadata", share)
            if key in ADMIN_ONLY_METADATA:
                policy.authorize_on(ctx, "share:update_admin_only_metadata", share)
            row = session.scalar(select(ShareMetadata).where(
                ShareMetadata.share_id == share.id, ShareMetadata.key == key,
                ShareMetadata.deleted == ""))
            if row is None:
                raise NotFound(f"Metadata item {key} was not found.")
            row.soft_delete()


def visible(ctx: RequestContext, share: Share) -> Share:
    """The share if the caller may see it; otherwise it does not exist for them."""
    if ctx.is_admin or share.project_id == ctx.project_id or share.is_public:
        return share
    raise NotFound(f"Share {share.id} could not be found.")
