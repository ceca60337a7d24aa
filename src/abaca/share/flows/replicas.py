"""Share replicas on the share service: create, delete, promote, update, access.

Every message goes to the share service of the replica concerned; the active replica
may live on another backend of the same replication domain, so the driver is told
where it is (``active``). As in the other flows, no transaction is held while the
driver works, and a driver failure leaves a status a user can see plus a message.

Access rules: the share's rules are applied to the active replica by the access flow;
``push_access`` then asks every other replica's service to serve them too
(``sync_access``): read-only on a readable replica, none on a dr replica.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from abaca.common.context import RequestContext
from abaca.common.messages import Action, Detail
from abaca.common.states import (
    AccessRulesStatus,
    AccessState,
    ReplicaState,
    ReplicationType,
    ShareStatus,
)
from abaca.common.types import Candidate, RequestSpec
from abaca.db.models import ShareInstance, utcnow
from abaca.db.repositories import access as access_repo
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import shares as shares_repo
from abaca.services import quotas
from abaca.share.driver_api import (
    AccessRule,
    ExportLocationInfo,
    ReplicationSupport,
    ShareRequest,
    ShareResult,
)
from abaca.share.flows.access import payload
from abaca.share.flows.common import instance_in, save_exports, share_request, try_candidates

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
R = ReplicaState
RESOURCE = "SHARE_REPLICA"
# replica states the periodic task refreshes
REFRESHED = frozenset({R.IN_SYNC, R.OUT_OF_SYNC, R.ERROR})


def is_active(inst: ShareInstance) -> bool:
    return inst.replica_state in (None, R.ACTIVE)


def rules_for(session: Session, inst: ShareInstance) -> list[AccessRule]:
    """What ``inst`` must serve: the share's applied rules, as its role allows."""
    rules = [payload(r) for r in access_repo.rules_of(session, inst.share_id)
             if r.state in (AccessState.ACTIVE, AccessState.APPLYING)]
    if is_active(inst):
        return rules
    kind = inst.share.replication_type
    if kind == ReplicationType.DR:
        return []
    if kind == ReplicationType.READABLE:
        return [AccessRule(id=r.id, access_type=r.access_type, access_to=r.access_to,
                           access_level="ro") for r in rules]
    return rules


def _active_request(mgr: ShareManager, inst: ShareInstance) -> ShareRequest | None:
    active = inst.share.instance
    return None if active.id == inst.id else share_request(mgr.conf, active)


def _message(session: Session, inst: ShareInstance, action: Action, detail: Detail,
             ctxt: RequestContext) -> None:
    messages_repo.create(session, project_id=inst.share.project_id, resource_type=RESOURCE,
                         resource_id=inst.id, action=action, detail=detail,
                         request_id=ctxt.request_id)


def _driver(mgr: ShareManager) -> ReplicationSupport:
    if not isinstance(mgr.driver, ReplicationSupport):
        raise NotImplementedError(f"backend {mgr.host} does not support replication")
    return mgr.driver


# create -------------------------------------------------------------------------------

def create(mgr: ShareManager, ctxt: RequestContext, spec: RequestSpec,
           candidates: list[dict[str, Any]]) -> None:
    """Try the scheduler's candidates in order, as the create_share flow does."""
    def forward(service_host: str, rest: list[dict[str, Any]]) -> None:
        mgr.share_rpc.create_share_replica(ctxt, service_host, spec, rest)

    if try_candidates(mgr, candidates, forward, partial(_create_on, mgr, ctxt, spec)):
        return
    with mgr.db.write() as session:
        inst = instance_in(session, spec.instance_id, ShareStatus.CREATING)
        if inst is None:
            return
        shares_repo.set_status(inst, ShareStatus.ERROR)
        inst.replica_state = R.ERROR
        _message(session, inst, Action.CREATE, Detail.DRIVER_FAILED_CREATING_REPLICA, ctxt)


def _create_on(mgr: ShareManager, ctxt: RequestContext, spec: RequestSpec,
               cand: Candidate) -> bool:
    """Make the replica on the pool ``cand``: False when the driver failed there."""
    with mgr.db.write() as session:
        inst = instance_in(session, spec.instance_id, ShareStatus.CREATING)
        if inst is None:
            return True
        inst.host = cand.host
        inst.availability_zone = mgr.backend.config.availability_zone
        request = share_request(mgr.conf, inst)
        active = _active_request(mgr, inst)
        rules = rules_for(session, inst)
    try:
        if active is None:
            raise RuntimeError("the share has no active replica")
        result = _driver(mgr).create_replica(active, request, rules)
    except Exception:
        LOG.exception("replica %s: creating on %s failed", spec.instance_id, cand.host)
        return False
    with mgr.db.write() as session:
        inst = shares_repo.get_instance(session, spec.instance_id)
        save_exports(session, inst, _as_share_result(result.export_locations))
        shares_repo.set_status(inst, ShareStatus.AVAILABLE)
        inst.replica_state = _reported(result.replica_state)
        inst.access_rules_status = AccessRulesStatus.ACTIVE
        inst.progress = "100%"
        inst.launched_at = utcnow()
    LOG.info("replica %s of share %s available on %s", spec.instance_id,
             spec.share_id, cand.host)
    with mgr.db.read() as session:
        current = rules_for(session, shares_repo.get_instance(session, spec.instance_id))
    if current != rules:  # the share's rules changed while the replica was made
        sync_access(mgr, ctxt, spec.instance_id)
    return True


def _reported(state: str) -> str:
    """A new replica's state as its driver reported it; never "active" (only a
    promotion makes a replica active), and anything unknown counts as out of sync."""
    return state if state in (R.IN_SYNC, R.OUT_OF_SYNC, R.ERROR) else R.OUT_OF_SYNC


def _as_share_result(locations: tuple[ExportLocationInfo, ...]) -> ShareResult:
    return ShareResult(export_locations=locations)


# delete -------------------------------------------------------------------------------

def delete(mgr: ShareManager, ctxt: RequestContext, replica_id: str, force: bool) -> None:
    with mgr.db.read() as session:
        inst = instance_in(session, replica_id, ShareStatus.DELETING)
        if inst is None:
            return
        request = share_request(mgr.conf, inst)
        active = _active_request(mgr, inst)
    try:
        _driver(mgr).delete_replica(active, request)
    except Exception:
        LOG.exception("deleting replica %s failed%s", replica_id,
                      "; forced, its rows go anyway" if force else "")
        if not force:
            with mgr.db.write() as session:
                inst = shares_repo.get_instance(session, replica_id)
                shares_repo.set_status(inst, ShareStatus.ERROR_DELETING)
                quotas.rollback_origin(session, _delete_origin(replica_id))
                _message(session, inst, Action.DELETE, Detail.DRIVER_FAILED_DELETING_REPLICA,
                         ctxt)
            return
    with mgr.db.write() as session:
        shares_repo.delete_share_rows(session, shares_repo.get_instance(session, replica_id))
        quotas.commit_origin(session, _delete_origin(replica_id))


def _delete_origin(replica_id: str) -> str:
    # the API reserved the replica's quota release under this tag
    return quotas.origin("replica", replica_id, "delete")


# promote ------------------------------------------------------------------------------

def promote(mgr: ShareManager, ctxt: RequestContext, replica_id: str) -> None:
    with mgr.db.write() as session:
        inst = instance_in(session, replica_id, ShareStatus.REPLICATION_CHANGE)
        if inst is None:
            return
        old = inst.share.instance
        request = share_request(mgr.conf, inst)
        old_request = share_request(mgr.conf, old)
        old_id = old.id
        rules = [payload(r) for r in access_repo.rules_of(session, inst.share_id)
                 if r.state in (AccessState.ACTIVE, AccessState.APPLYING)]
    try:
        if old_id == replica_id:
            raise RuntimeError("the share has no other active replica")
        result = _driver(mgr).promote_replica(old_request, request, rules)
    except Exception:
        LOG.exception("promoting replica %s failed", replica_id)
        with mgr.db.write() as session:
            inst = shares_repo.get_instance(session, replica_id)
            shares_repo.set_status(inst, ShareStatus.ERROR)
            _message(session, inst, Action.PROMOTE_REPLICA, Detail.DRIVER_FAILED_PROMOTE,
                     ctxt)
        return
    with mgr.db.write() as session:
        inst = shares_repo.get_instance(session, replica_id)
        old = shares_repo.get_instance(session, old_id)
        # The old active replica is no longer current until the next update says so.
        old.replica_state = R.OUT_OF_SYNC
        old.access_rules_status = AccessRulesStatus.SYNCING
        inst.replica_state = R.ACTIVE
        inst.access_rules_status = AccessRulesStatus.ACTIVE
        if result.export_locations:
            save_exports(session, inst, _as_share_result(result.export_locations))
        shares_repo.set_status(inst, ShareStatus.AVAILABLE)
        old_host = (old.host or "").partition("#")[0]
    LOG.info("replica %s is now the active replica of its share", replica_id)
    if old_host:  # the old active one now serves the rules of a replica
        mgr.share_rpc.update_replica_access(ctxt, old_host, old_id)


# replica_state updates ------------------------------------------------------------------

def update(mgr: ShareManager, ctxt: RequestContext, replica_id: str) -> None:
    """Ask the driver to bring a non-active replica up to date and record its state."""
    with mgr.db.read() as session:
        inst = instance_in(session, replica_id, ShareStatus.AVAILABLE)
        if inst is None or is_active(inst):
            return
        request = share_request(mgr.conf, inst)
        active = _active_request(mgr, inst)
        before = inst.replica_state
    try:
        if active is None:
            raise RuntimeError("the share has no active replica")
        state = R(_driver(mgr).update_replica_state(active, request))
        if state == R.ACTIVE:
            raise ValueError("a driver cannot make a replica active by updating it")
    except Exception:
        LOG.exception("updating replica %s failed", replica_id)
        state = R.ERROR
    with mgr.db.write() as session:
        inst = instance_in(session, replica_id, ShareStatus.AVAILABLE)
        if inst is None or is_active(inst):
            return
        inst.replica_state = state
        if state == R.ERROR and before != R.ERROR:
            _message(session, inst, Action.UPDATE_REPLICA, Detail.DRIVER_FAILED_REPLICA_UPDATE,
                     ctxt)


def periodic_update(mgr: ShareManager, last: dict[str, float]) -> None:
    """Every ``replica_state_update_interval``: update this backend's replicas."""
    now = time.monotonic()
    if now - last.get("at", -1e9) < mgr.conf.replica_state_update_interval:
        return
    last["at"] = now
    with mgr.db.read() as session:
        ids = list(session.scalars(select(ShareInstance.id).where(
            ShareInstance.host.like(f"{mgr.host}#%"), ShareInstance.deleted == "",
            ShareInstance.status == ShareStatus.AVAILABLE,
            ShareInstance.replica_state.in_([s.value for s in REFRESHED]))))
    ctxt = RequestContext.admin()
    for replica_id in ids:
        with mgr.instance_lock(replica_id):
            update(mgr, ctxt, replica_id)


# access -------------------------------------------------------------------------------

def mark_replicas_syncing(mgr: ShareManager, instance_id: str) -> list[tuple[str, str]]:
    """Before the active replica's rules change: its share's other replicas are
    ``syncing`` until they serve the new rules. Returns their (service host, id)."""
    with mgr.db.write() as session:
        try:
            inst = shares_repo.get_instance(session, instance_id)
        except Exception:
            return []
        if not is_active(inst):
            return []
        targets = []
        for other in list(inst.share.instances):
            if other.id == inst.id or other.status != ShareStatus.AVAILABLE or not other.host:
                continue
            other.access_rules_status = AccessRulesStatus.SYNCING
            targets.append((other.host.partition("#")[0], other.id))
    return targets


def push_access(mgr: ShareManager, ctxt: RequestContext,
                targets: list[tuple[str, str]]) -> None:
    for service_host, replica_id in targets:
        mgr.share_rpc.update_replica_access(ctxt, service_host, replica_id)


def sync_access(mgr: ShareManager, ctxt: RequestContext, replica_id: str) -> None:
    """Make a non-active replica's backend serve exactly the rules it should."""
    with mgr.db.read() as session:
        inst = instance_in(session, replica_id, ShareStatus.AVAILABLE)
        if inst is None or is_active(inst):
            return
        request = share_request(mgr.conf, inst)
        rules = rules_for(session, inst)
    try:
        failed = mgr.driver.update_access(request, rules, [], [])
    except Exception:
        LOG.exception("replica %s: applying access rules failed", replica_id)
        failed = {"*": "error"}
    with mgr.db.write() as session:
        inst = instance_in(session, replica_id, ShareStatus.AVAILABLE)
        if inst is None:
            return
        inst.access_rules_status = (AccessRulesStatus.ERROR if failed
                                    else AccessRulesStatus.ACTIVE)
        if failed:
            _message(session, inst, Action.UPDATE_ACCESS_RULES,
                     Detail.DRIVER_FAILED_REPLICA_ACCESS, ctxt)


def ensure(mgr: ShareManager, replica_id: str) -> None:
    """Serve a non-active replica again after a restart, with its replica's rules."""
    with mgr.db.read() as session:
        inst = shares_repo.get_instance(session, replica_id)
        request = share_request(mgr.conf, inst)
    try:
        result = mgr.driver.ensure_share(request)
    except Exception:
        LOG.exception("replica %s could not be served again", replica_id)
        return
    with mgr.db.write() as session:
        save_exports(session, shares_repo.get_instance(session, replica_id), result)
    sync_access(mgr, RequestContext.admin(), replica_id)
