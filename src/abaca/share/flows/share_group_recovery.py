"""Share groups and group snapshots that a crash or a lost message left in a
transitional state on this backend: the reconciler's part for them.

Group snapshots ``creating`` or ``deleting`` are done again through their flows (the
driver calls are idempotent: a snapshot that exists is success, one that is gone is
deleted). A group ``deleting`` is deleted again. A group ``creating`` on this backend's
pool is created again there; for one made from a group snapshot that means creating its
shares still missing from their members' snapshots (the share reconciler does the same
for the ones that had reached this backend), then ``available``, or ``error`` with a
user message. A group whose create never reached a share service (no pool chosen yet)
goes to ``error`` with a user message after ``[reconciler] request_timeout`` (the
scheduler's periodic check, ``fail_lost_creates``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from abaca.common.context import RequestContext
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareGroupStatus
from abaca.db.models import ShareGroup, ShareGroupSnapshot, utcnow
from abaca.db.repositories import share_groups as groups_repo
from abaca.db.session import Database
from abaca.share.flows import share_groups as group_flows
from abaca.share.reconcile.records import record

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
G = ShareGroupStatus
TRANSITIONAL = (G.CREATING, G.DELETING)


def reconcile(mgr: ShareManager, cutoff: datetime | None) -> int:
    """Redo or finish this backend's groups and group snapshots not changed since
    ``cutoff`` (all of them when None, at start); how many changed status."""
    mine = ShareGroup.host.like(f"{mgr.host}#%")
    with mgr.db.read() as session:
        snapshots = [(i, s) for i, s, u, c in session.execute(select(
            ShareGroupSnapshot.id, ShareGroupSnapshot.status, ShareGroupSnapshot.updated_at,
            ShareGroupSnapshot.created_at).join(
            ShareGroup, ShareGroup.id == ShareGroupSnapshot.share_group_id).where(
            mine, ShareGroupSnapshot.deleted == "",
            ShareGroupSnapshot.status.in_(TRANSITIONAL)))
            if cutoff is None or (u or c) <= cutoff]
        groups = [(i, s) for i, s, u, c in session.execute(select(
            ShareGroup.id, ShareGroup.status, ShareGroup.updated_at,
            ShareGroup.created_at).where(
            mine, ShareGroup.deleted == "", ShareGroup.status.in_(TRANSITIONAL)))
            if cutoff is None or (u or c) <= cutoff]
    changed = 0
    for snapshot_id, status in snapshots:
        changed += _locked(mgr, snapshot_id, "share_group_snapshot", status,
                           partial(_snapshot, mgr, snapshot_id, status))
    for group_id, status in groups:
        changed += _locked(mgr, group_id, "share_group", status,
                           partial(_group, mgr, group_id, status))
    return changed


def fail_lost_creates(db: Database, conf: Any) -> int:
    """Groups still ``creating`` with no pool after ``[reconciler] request_timeout``:
    their request was lost between the API and a share service. They go to ``error``
    with a user message; how many."""
    cutoff = utcnow() - timedelta(seconds=conf.reconciler.request_timeout)
    with db.read() as session:
        lost = [i for i, u, c in session.execute(select(
            ShareGroup.id, ShareGroup.updated_at, ShareGroup.created_at).where(
            ShareGroup.deleted == "", ShareGroup.status == G.CREATING,
            ShareGroup.host.is_(None))) if (u or c) <= cutoff]
    for group_id in lost:
        LOG.warning("share group %s: its create request was not taken up in time",
                    group_id)
        groups_repo.fail_group(db, RequestContext.admin(), group_id,
                               Action.CREATE_SHARE_GROUP, Detail.REQUEST_TIMED_OUT,
                               only_from=G.CREATING)
    return len(lost)


def _locked(mgr: ShareManager, ident: str, kind: str, status: str,
            work: Callable[[], None]) -> int:
    """Run ``work`` under the resource's lock (skipped if a flow holds it); 1 when the
    status changed (and the change is recorded)."""
    with mgr.try_lock(ident) as got:
        if not got:
            return 0
        try:
            work()
        except Exception:
            LOG.exception("%s: reconciling %s %s failed", mgr.host, kind, ident)
        after = _status(mgr, ident, kind)
    if after == status:
        return 0
    LOG.info("%s: %s %s was left %s: now %s", mgr.host, kind, ident, status, after)
    with mgr.db.write() as session:
        record(session, host=mgr.host, resource_type=kind, resource_id=ident,
               from_status=status, to_status=after, action="redo")
    return 1


def _status(mgr: ShareManager, ident: str, kind: str) -> str:
    with mgr.db.read() as session:
        row: ShareGroup | ShareGroupSnapshot | None = (
            session.get(ShareGroupSnapshot, ident) if kind == "share_group_snapshot"
            else session.get(ShareGroup, ident))
        return "deleted" if row is None or row.deleted else row.status


def _snapshot(mgr: ShareManager, snapshot_id: str, status: str) -> None:
    ctxt = RequestContext.admin()
    if status == G.CREATING:
        group_flows.create_snapshot(mgr, ctxt, snapshot_id)
    else:
        group_flows.delete_snapshot(mgr, ctxt, snapshot_id)


def _group(mgr: ShareManager, group_id: str, status: str) -> None:
    ctxt = RequestContext.admin()
    if status == G.DELETING:
        group_flows.delete(mgr, ctxt, group_id)
        return
    with mgr.db.read() as session:
        group = groups_repo.get(session, group_id)
        if group.status != G.CREATING or not group.host:
            return
        host = group.host
    # on its pool again; one from a group snapshot makes the shares still missing and
    # then takes available or error
    group_flows.create(mgr, ctxt, group_id, [{"host": host, "weight": 0.0}])
