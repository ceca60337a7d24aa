"""What the API does with share replicas (2.11; experimental until 2.55).

A replica is an extra share instance of a share whose type has a ``replication_type``
(writable, readable or dr), on another backend of the active replica's
``replication_domain``. Each write commits before its message is sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Forbidden, Invalid, NotFound, ServiceUnavailable
from abaca.common.messages import Action, Detail
from abaca.common.states import ReplicaState, ShareStatus
from abaca.common.types import RequestSpec
from abaca.db.models import ExportLocation, Share, ShareInstance, utcnow
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import services as services_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.db.session import Database
from abaca.scheduler import request as hints
from abaca.scheduler.rpcapi import SchedulerAPI
from abaca.services import quotas, scheduler_hints, share_types, validation
from abaca.share.rpcapi import ShareAPI

LOG = logging.getLogger(__name__)
R = ReplicaState
# What an administrator may reset a replica's status to (Manila's list).
RESETTABLE_STATUSES = frozenset({ShareStatus.AVAILABLE, ShareStatus.ERROR,
                                 ShareStatus.CREATING, ShareStatus.DELETING,
                                 ShareStatus.ERROR_DELETING})
RESETTABLE_STATES = frozenset(s.value for s in ReplicaState)
DELETABLE = frozenset({ShareStatus.AVAILABLE, ShareStatus.ERROR,
                       ShareStatus.ERROR_DELETING})


def quota_deltas(replication_type: str | None, size: int, count: int = 1) -> dict[str, int]:
    """What ``count`` replicas (the active one included) of a ``size`` GiB share of
    a replicated type consume of the share_replicas and replica_gigabytes quotas."""
    if not replication_type:
        return {}
    return {"share_replicas": count, "replica_gigabytes": size * count}


def _replica_query(what: Any, project: str, user: str, share_type: str) -> Any:
    query = (select(what).select_from(ShareInstance)
             .join(Share, Share.id == ShareInstance.share_id)
             .where(Share.project_id == project, Share.deleted == "",
                    ShareInstance.deleted == "", ShareInstance.replica_state.is_not(None)))
    if user:
        query = query.where(Share.user_id == user)
    if share_type:
        query = query.where(Share.share_type_id == share_type)
    return query


def _count_replicas(session: Session, project: str, user: str, share_type: str) -> int:
    return int(session.scalar(_replica_query(func.count(ShareInstance.id), project, user,
                                             share_type)) or 0)


def _count_replica_gigabytes(session: Session, project: str, user: str,
                             share_type: str) -> int:
    return int(session.scalar(_replica_query(func.coalesce(func.sum(Share.size), 0),
                                             project, user, share_type)) or 0)


quotas.register_counter("share_replicas", _count_replicas)
quotas.register_counter("replica_gigabytes", _count_replica_gigabytes)


def delete_origin(replica_id: str) -> str:
    """The tag of a replica delete's quota reservation (committed by the share service)."""
    return quotas.origin("replica", replica_id, "delete")


def _target(share: Share) -> dict[str, Any]:
    return {"project_id": share.project_id, "user_id": share.user_id}


def _service_host(inst: ShareInstance) -> str:
    return (inst.host or "").partition("#")[0]


@dataclass
class ReplicaServices:
    conf: Any
    db: Database
    scheduler_rpc: SchedulerAPI
    share_rpc: ShareAPI

    # reads ----------------------------------------------------------------------------

    def list_replicas(self, ctx: RequestContext,
                      params: dict[str, str]) -> list[ShareInstance]:
        policy.authorize(ctx, "share_replica:get_all",
                         {"project_id": ctx.project_id, "user_id": ctx.user_id})
        query = (select(ShareInstance).join(Share, Share.id == ShareInstance.share_id)
                 .where(ShareInstance.deleted == "", Share.deleted == "",
                        ShareInstance.replica_state.is_not(None)))
        if not ctx.is_admin:
            query = query.where(Share.project_id == ctx.project_id)
        share_id = params.get("share_id")
        if share_id is not None:
            query = query.where(ShareInstance.share_id == share_id)
        query = query.order_by(ShareInstance.created_at, ShareInstance.id)
        with self.db.read() as session:
            return list(session.scalars(query))

    def get(self, ctx: RequestContext, replica_id: str,
            rule: str = "share_replica:show") -> ShareInstance:
        with self.db.read() as session:
            inst = self._find(ctx, session, replica_id)
        policy.authorize(ctx, rule, _target(inst.share))
        return inst

    def export_locations(self, ctx: RequestContext, replica_id: str,
                         rule: str) -> tuple[ShareInstance, list[ExportLocation]]:
        """The replica and the export locations the caller may see."""
        inst = self.get(ctx, replica_id, rule)
        return inst, [el for el in inst.export_locations
                      if ctx.is_admin or not el.is_admin_only]

    @staticmethod
    def _find(ctx: RequestContext, session: Any, replica_id: str) -> ShareInstance:
        """The replica if the caller may see it; replicas of other projects do not exist
        for them (404), nor do instances of shares without replication."""
        try:
            inst = shares_repo.get_instance(session, replica_id)
        except NotFound:
            inst = None
        if (inst is None or inst.replica_state is None or inst.share.deleted
                or not (ctx.is_admin or inst.share.project_id == ctx.project_id)):
            raise NotFound(f"Share replica {replica_id} could not be found.")
        return inst

    # create ---------------------------------------------------------------------------

    def create(self, ctx: RequestContext, body: dict[str, Any], *,
               with_only_host: bool = False) -> ShareInstance:
        share_id = validation.uuid_like(body.get("share_id"), "share_id")
        # 2.67: scheduler_hints with only only_host, the exact pool, for host admins
        user_hints = (scheduler_hints.only_host_hints(body.get("scheduler_hints"))
                      if with_only_host else {})
        az = validation.text(body.get("availability_zone"), "availability_zone",
                             allow_empty=False)
        # A replica lives on its share's network; choosing another one
        # (share_network_id) arrives with 2.72, above this API's maximum: ignored.
        with self.db.write() as session:
            try:
                share = shares_repo.get_share(session, share_id)
            except NotFound:
                share = None
            if share is None or not (ctx.is_admin or share.project_id == ctx.project_id):
                raise NotFound(f"Share {share_id} could not be found.")
            policy.authorize(ctx, "share_replica:create", _target(share))
            if user_hints:
                policy.authorize(ctx, "context_is_host_admin",
                                 {"project_id": ctx.project_id})
            if not share.replication_type:
                raise Invalid(f"Replication not supported for share {share.id}: its share "
                              "type has no replication_type.")
            active = share.instance
            if active.status != ShareStatus.AVAILABLE or active.replica_state != R.ACTIVE:
                raise Invalid(f"Share {share.id} does not have any active replica in "
                              "available state.")
            if share.task_state:
                raise Invalid(f"Share {share.id} is busy ({share.task_state}).")
            if snapshots_repo.of_share(session, share.id):
                raise Invalid(f"Share {share.id} has snapshots; replicas of shares with "
                              "snapshots are not supported yet.")
            if az is not None and az not in {
                    z.name for z in services_repo.list_availability_zones(session)}:
                raise Invalid(f"Availability zone {az} could not be found.")
            type_spec = share_types.spec_of(share.share_type) if share.share_type else None
            type_azs = [z.strip() for z in (type_spec.extra_specs.get(
                "availability_zones", "") if type_spec else "").split(",") if z.strip()]
            if az and type_azs and az not in type_azs:
                raise Invalid(f"Share replica cannot be created since the share type "
                              f"{share.share_type.name if share.share_type else ''} is not "
                              f"supported within the availability zone chosen {az}.")
            quotas.consume(session, self.conf, quotas.share_scope(share),
                           quota_deltas(share.replication_type, share.size))
            replica = ShareInstance(share_id=share.id, status=ShareStatus.CREATING,
                                    availability_zone=az, replica_state=R.OUT_OF_SYNC,
                                    access_rules_status="active")
            session.add(replica)
            session.flush()
            all_hosts = ",".join(i.host for i in share.instances if i.host)
            spec = RequestSpec(
                share_id=share.id, instance_id=replica.id, project_id=share.project_id,
                size=share.size, share_proto=share.share_proto, share_type=type_spec,
                availability_zone=az,
                scheduler_hints={hints.ACTIVE_REPLICA_HOST: active.host or "",
                                 hints.ALL_REPLICA_HOSTS: all_hosts, **user_hints},
                is_admin=ctx.is_admin)
            replica_id = replica.id
        # The answer shows what was recorded, not how far the services got since.
        created = self.get(ctx, replica_id)
        try:
            self.scheduler_rpc.create_share_replica(ctx, spec)
        except Exception as exc:
            LOG.exception("replica %s: could not reach the scheduler", replica_id)
            with self.db.write() as session:
                inst = shares_repo.get_instance(session, replica_id)
                shares_repo.set_status(inst, ShareStatus.ERROR)
                inst.replica_state = R.ERROR
                messages_repo.create(session, project_id=spec.project_id,
                                     resource_type="SHARE_REPLICA", resource_id=replica_id,
                                     action=Action.ALLOCATE_HOST, detail=Detail.UNKNOWN_ERROR,
                                     request_id=ctx.request_id)
            raise ServiceUnavailable("The share replica was recorded but the scheduler "
                                     "could not be reached; it is in error state.") from exc
        return created

    # delete ---------------------------------------------------------------------------

    def delete(self, ctx: RequestContext, replica_id: str, *, force: bool = False) -> None:
        with self.db.write() as session:
            inst = self._find(ctx, session, replica_id)
            policy.authorize(ctx, "share_replica:force_delete" if force
                             else "share_replica:delete", _target(inst.share))
            actives = [i for i in inst.share.instances if i.replica_state == R.ACTIVE]
            if inst.replica_state == R.ACTIVE and len(actives) == 1:
                # Not even forced: the share would lose its data.
                raise Invalid("Cannot delete last active replica.")
            if not force and inst.status not in DELETABLE:
                raise Invalid(f"Replica status must be one of "
                              f"{', '.join(sorted(DELETABLE))}, not {inst.status}.")
            inst.status = ShareStatus.DELETING
            inst.terminated_at = utcnow()
            share = inst.share
            deltas = quota_deltas(share.replication_type, share.size)
            if not inst.host:
                # Never placed on a backend: nothing to remove there.
                quotas.release(session, self.conf, quotas.share_scope(share), deltas)
                shares_repo.delete_share_rows(session, inst)
                return
            quotas.rollback_origin(session, delete_origin(replica_id))  # an earlier try
            quotas.reserve(session, self.conf, quotas.share_scope(share),
                           {k: -v for k, v in deltas.items()},
                           origin=delete_origin(replica_id))
            host = _service_host(inst)
        self.share_rpc.delete_share_replica(ctx, host, replica_id, force=force)

    # actions --------------------------------------------------------------------------

    def promote(self, ctx: RequestContext, replica_id: str) -> bool:
        """Start promoting; False when the replica is already the active one."""
        with self.db.write() as session:
            inst = self._find(ctx, session, replica_id)
            policy.authorize(ctx, "share_replica:promote", _target(inst.share))
            if inst.replica_state == R.ACTIVE:
                return False
            if inst.status != ShareStatus.AVAILABLE:
                raise Invalid(f"Replica {replica_id} must be in available state to be "
                              f"promoted, not {inst.status}.")
            if inst.replica_state in (R.OUT_OF_SYNC, R.ERROR) and not ctx.is_admin:
                raise Forbidden(f"Promoting a replica with 'replica_state': "
                                f"{inst.replica_state} requires administrator privileges.")
            if inst.share.instance.status != ShareStatus.AVAILABLE:
                raise Invalid("The active replica is not available; it cannot hand over.")
            shares_repo.set_status(inst, ShareStatus.REPLICATION_CHANGE)
            host = _service_host(inst)
        self.share_rpc.promote_share_replica(ctx, host, replica_id)
        return True

    def resync(self, ctx: RequestContext, replica_id: str) -> bool:
        """Ask for a replica_state update now; False when the replica is active."""
        with self.db.read() as session:
            inst = self._find(ctx, session, replica_id)
            policy.authorize(ctx, "share_replica:resync", _target(inst.share))
            if inst.replica_state == R.ACTIVE:
                return False
            if not inst.host:
                raise Invalid("Share replica does not have a valid host.")
            if inst.status != ShareStatus.AVAILABLE:
                raise Invalid(f"Replica {replica_id} must be available to be resynced, "
                              f"not {inst.status}.")
            host = _service_host(inst)
        self.share_rpc.update_share_replica(ctx, host, replica_id)
        return True

    def reset_status(self, ctx: RequestContext, replica_id: str, status: Any) -> None:
        if not isinstance(status, str) or status not in RESETTABLE_STATUSES:
            raise Invalid(f"Invalid status {status!r}: expected one of "
                          f"{', '.join(sorted(RESETTABLE_STATUSES))}.")
        with self.db.write() as session:
            inst = self._find(ctx, session, replica_id)
            policy.authorize(ctx, "share_replica:reset_status", _target(inst.share))
            inst.status = status  # an administrator's override, outside the state machine
            inst.share.updated_at = utcnow()

    def reset_replica_state(self, ctx: RequestContext, replica_id: str, state: Any) -> None:
        if not isinstance(state, str) or state not in RESETTABLE_STATES:
            raise Invalid(f"Invalid replica_state {state!r}: expected one of "
                          f"{', '.join(sorted(RESETTABLE_STATES))}.")
        with self.db.write() as session:
            inst = self._find(ctx, session, replica_id)
            policy.authorize(ctx, "share_replica:reset_replica_state", _target(inst.share))
            inst.replica_state = state
            inst.updated_at = utcnow()
