"""Mountable snapshots (2.32): access rules of a snapshot and where it is exported.

A snapshot can be mounted when its share's type has ``mount_snapshot_support``; other
snapshots answer 400 to every access call, as Manila's do. Rules are always read-only;
they are written ``queued_to_apply`` / ``queued_to_deny`` and the share's service
applies them (``share/flows/snapshot_access.py``) after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Invalid, NotFound
from abaca.common.states import AccessState, SnapshotStatus
from abaca.db.models import ShareSnapshot, ShareSnapshotAccessRule
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.db.session import Database
from abaca.services import access_grammar
from abaca.services.share_types import spec_flag
from abaca.services.snapshots import visible_snapshot
from abaca.share.rpcapi import ShareAPI

A = AccessState


def _target(snap: ShareSnapshot) -> dict[str, Any]:
    return {"project_id": snap.project_id, "user_id": snap.user_id}


def mountable(session: Session, ctx: RequestContext, snapshot_id: str,
              rule: str) -> tuple[ShareSnapshot, str | None]:
    """The snapshot (404 if the caller cannot see it, 403 by ``rule``) and its share's
    service host; 400 unless its share's type has ``mount_snapshot_support``."""
    snap = visible_snapshot(ctx, snapshots_repo.get(session, snapshot_id))
    policy.authorize(ctx, rule, _target(snap))
    share = shares_repo.get_share(session, snap.share_id)
    if share.share_type is None or not spec_flag(share.share_type, "mount_snapshot_support"):
        raise Invalid(f"Cannot control access to snapshot {snapshot_id}: its share was "
                      "created without mount_snapshot_support.")
    host = share.instance.host
    return snap, host.partition("#")[0] if host else None


@dataclass
class SnapshotAccessServices:
    db: Database
    share_rpc: ShareAPI

    def list_rules(self, ctx: RequestContext, snapshot_id: str) -> list[ShareSnapshotAccessRule]:
        with self.db.read() as session:
            mountable(session, ctx, snapshot_id, "share_snapshot:access_list")
            return snapshots_repo.access_rules(session, snapshot_id)

    def allow(self, ctx: RequestContext, snapshot_id: str, body: Any, *,
              allow_ipv6: bool) -> ShareSnapshotAccessRule:
        if not isinstance(body, dict):
            raise Invalid("allow_access needs access_type and access_to.")
        access_type, access_to = access_grammar.check_rule(
            body.get("access_type"), body.get("access_to"), allow_ipv6=allow_ipv6)
        with self.db.write() as session:
            snap, host = mountable(session, ctx, snapshot_id, "share_snapshot:allow_access")
            if snap.status != SnapshotStatus.AVAILABLE or host is None:
                raise Invalid(f"Snapshot {snapshot_id} is {snap.status}; it must be "
                              "available to change its access.")
            for rule in snapshots_repo.access_rules(session, snapshot_id):
                if (rule.access_type, rule.access_to) == (access_type, access_to) and \
                        rule.state not in (A.QUEUED_TO_DENY, A.DENYING):
                    raise Invalid(f"Snapshot access {access_type}:{access_to} exists.")
            rule = ShareSnapshotAccessRule(snapshot_id=snapshot_id, access_type=access_type,
                                           access_to=access_to, state=A.QUEUED_TO_APPLY)
            session.add(rule)
            session.flush()
        self.share_rpc.update_snapshot_access(ctx, host, snapshot_id)
        return rule

    def deny(self, ctx: RequestContext, snapshot_id: str, body: Any) -> None:
        access_id = body.get("access_id") if isinstance(body, dict) else None
        if not isinstance(access_id, str) or not access_id:
            raise Invalid("deny_access needs an access_id.")
        with self.db.write() as session:
            snap, host = mountable(session, ctx, snapshot_id, "share_snapshot:deny_access")
            if snap.status != SnapshotStatus.AVAILABLE or host is None:
                raise Invalid(f"Snapshot {snapshot_id} is {snap.status}; it must be "
                              "available to change its access.")
            found = [r for r in snapshots_repo.access_rules(session, snapshot_id)
                     if r.id == access_id]
            if not found:
                raise NotFound(f"Access rule {access_id} of snapshot {snapshot_id} could "
                               "not be found.")
            if found[0].state in (A.QUEUED_TO_DENY, A.DENYING):
                return  # already on its way out
            found[0].state = A.QUEUED_TO_DENY
        self.share_rpc.update_snapshot_access(ctx, host, snapshot_id)
