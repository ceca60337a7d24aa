"""What the API does with shares: validate, check quota, write, then send.

Every write commits before its message is sent, so a service that receives the
message always finds the rows it refers to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from abaca.common.context import RequestContext
from abaca.common.errors import Forbidden, Invalid, NotFound, ServiceUnavailable
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
from abaca.services import quotas, share_types, validation
from abaca.share.rpcapi import ShareAPI

LOG = logging.getLogger(__name__)


@dataclass
class ShareServices:
    conf: Any
    db: Database
    scheduler_rpc: SchedulerAPI
    share_rpc: ShareAPI

    # reads ----------------------------------------------------------------------------

    def get(self, ctx: RequestContext, share_id: str) -> Share:
        with self.db.read() as session:
            return visible(ctx, shares_repo.get_share(session, share_id))

    # create ---------------------------------------------------------------------------

    def create(self, ctx: RequestContext, body: dict[str, Any], *,
               honour_az: bool) -> Share:
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
        network_id = body.get("share_network_id")
        az = validation.text(body.get("availability_zone"), "availability_zone") \
            if honour_az else None
        if network_id:
            raise NotFound(f"Share network {validation.uuid_like(network_id, 'share_network_id')}"
                           " could not be found.")
        type_ref = body.get("share_type", body.get("volume_type"))
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
                az = parent.instance.availability_zone
                type_ref = type_ref or parent.share_type_id
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
            if validation.boolean(specs.get("driver_handles_share_servers", "False")
                                  .removeprefix("<is>").strip(),
                                  "driver_handles_share_servers"):
                raise Invalid("Share network must be set when the "
                              "driver_handles_share_servers is true.")
            if az and not snapshot_id and az not in {
                    z.name for z in services_repo.list_availability_zones(session)}:
                raise NotFound(f"Availability zone {az} could not be found.")
            project = ctx.project_id or ""
            quotas.check_new_share(session, self.conf, project, size)
            share = Share(user_id=ctx.user_id, project_id=project, display_name=name,
                          display_description=description, size=size,
                          share_proto=proto.upper(), share_type_id=st.id, is_public=is_public,
                          snapshot_id=snapshot_id or None)
            session.add(share)
            session.flush()
            inst = ShareInstance(share_id=share.id, availability_zone=az,
                                 status=(ShareStatus.CREATING_FROM_SNAPSHOT if snapshot_id
                                         else ShareStatus.CREATING))
            session.add(inst)
            for key, value in metadata.items():
                session.add(ShareMetadata(share_id=share.id, key=key, value=value))
            session.flush()
            spec = RequestSpec(share_id=share.id, instance_id=inst.id, project_id=project,
                               size=size, share_proto=share.share_proto,
                               share_type=share_types.spec_of(st), availability_zone=az,
                               snapshot_id=snapshot_id or None)
        try:
            if parent_host:
                # A clone lives where its snapshot is (copy-on-write on the same pool).
                self.share_rpc.create_share_instance(
                    ctx, parent_host.partition("#")[0], spec,
                    [{"host": parent_host, "weight": 0.0}])
            else:
                self.scheduler_rpc.create_share_instance(ctx, spec)
        except Exception as exc:
            LOG.exception("share %s: could not reach the scheduler", spec.share_id)
            self._fail(ctx, spec.instance_id, Action.ALLOCATE_HOST, Detail.UNKNOWN_ERROR)
            raise ServiceUnavailable("The share was recorded but the scheduler could not "
                                     "be reached; it is in error state.") from exc
        return self.get(ctx, spec.share_id)

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
            for field, column in (("name", "display_name"), ("display_name", "display_name"),
                                  ("description", "display_description"),
                                  ("display_description", "display_description")):
                if field in body:
                    setattr(share, column, validation.text(body[field], field))
            if "is_public" in body:
                share.is_public = validation.boolean(body["is_public"], "is_public")
        return self.get(ctx, share_id)

    def delete(self, ctx: RequestContext, share_id: str) -> None:
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            inst = share.instance
            dependents = snapshots_repo.of_share(session, share.id)
            if dependents:
                raise Forbidden(f"Share {share.id} still has {len(dependents)} dependent "
                                "snapshots; delete them first.")
            if inst.status not in SHARE_DELETABLE:
                raise Forbidden(f"Share status must be one of "
                                f"{', '.join(sorted(SHARE_DELETABLE))}, not {inst.status}.")
            shares_repo.set_status(inst, ShareStatus.DELETING)
            if not inst.host:
                # Never placed on a backend: nothing to remove there.
                shares_repo.delete_share_rows(session, inst)
                return
            service_host, instance_id = inst.host.partition("#")[0], inst.id
        self.share_rpc.delete_share_instance(ctx, service_host, instance_id)

    # metadata -------------------------------------------------------------------------

    def metadata(self, ctx: RequestContext, share_id: str) -> dict[str, str]:
        return self.get(ctx, share_id).metadata_dict()

    def set_metadata(self, ctx: RequestContext, share_id: str, items: Any, *,
                     replace: bool) -> dict[str, str]:
        checked = validation.metadata(items)
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            rows = {m.key: m for m in session.scalars(select(ShareMetadata).where(
                ShareMetadata.share_id == share.id, ShareMetadata.deleted == ""))}
            for key, row in rows.items():
                if key in checked:
                    row.value = checked[key]
                elif replace:
                    row.soft_delete()
            for key, value in checked.items():
                if key not in rows:
                    session.add(ShareMetadata(share_id=share.id, key=key, value=value))
        return self.metadata(ctx, share_id)

    def delete_metadata(self, ctx: RequestContext, share_id: str, key: str) -> None:
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
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
