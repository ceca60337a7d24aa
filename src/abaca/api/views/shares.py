"""The share as each microversion shows it: fields are added by version, in one place."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, ctx, isotime, links
from abaca.db.models import Share
from abaca.services.validation import boolean


def _spec_flag(share: Share, key: str) -> bool | None:
    if share.share_type is None:
        return None
    value = share.share_type.specs().get(key)
    if value is None:
        return False
    try:
        return boolean(value.removeprefix("<is>").strip(), key)
    except Exception:
        return False


def _access_rules_status(share: Share) -> str:
    """The worst of the instances' (replicas') statuses, as Manila aggregates them."""
    statuses = {i.access_rules_status for i in share.instances
                if i.status == "available" or i is share.instance}
    for worst in ("error", "syncing"):
        if worst in statuses:
            return worst
    return share.instance.access_rules_status


# (first version, field, value) - later issues add rows here, not branches.
_VERSIONED: list[tuple[str, str, Any]] = [
    ("2.2", "snapshot_support", lambda s: _spec_flag(s, "snapshot_support")),
    ("2.5", "task_state", lambda s: s.task_state),
    ("2.6", "share_type_name", lambda s: s.share_type.name if s.share_type else None),
    ("2.10", "access_rules_status", _access_rules_status),
    ("2.11", "replication_type", lambda s: s.replication_type),
    ("2.11", "has_replicas", lambda s: s.has_replicas),
    ("2.16", "user_id", lambda s: s.user_id),
    ("2.24", "create_share_from_snapshot_support",
     lambda s: _spec_flag(s, "create_share_from_snapshot_support")),
    ("2.27", "revert_to_snapshot_support",
     lambda s: _spec_flag(s, "revert_to_snapshot_support")),
    ("2.31", "share_group_id", lambda s: s.share_group_id),
    ("2.31", "source_share_group_snapshot_member_id",
     lambda s: s.source_share_group_snapshot_member_id),
    ("2.32", "mount_snapshot_support", lambda s: _spec_flag(s, "mount_snapshot_support")),
    ("2.54", "progress", lambda s: s.instance.progress),
]
# (first version, last version, field)
_RANGED: list[tuple[str, str, str, Any]] = [
    ("2.4", "2.30", "consistency_group_id", lambda s: None),
    ("2.4", "2.30", "source_cgsnapshot_member_id", lambda s: None),
]


def summary(req: falcon.Request, share: Share) -> dict[str, Any]:
    return {"id": share.id, "name": share.display_name, "links": links(req, "shares", share.id)}


def detail(req: falcon.Request, share: Share) -> dict[str, Any]:
    inst = share.instance
    type_name = share.share_type.name if share.share_type else None
    body: dict[str, Any] = {
        "id": share.id,
        "size": share.size,
        "availability_zone": inst.availability_zone,
        "created_at": isotime(share.created_at),
        "updated_at": isotime(share.updated_at),
        "status": (inst.status if at_least(req, "2.54") or inst.status != "creating_from_snapshot"
                   else "creating"),
        "name": share.display_name,
        "description": share.display_description,
        "project_id": share.project_id,
        "snapshot_id": share.snapshot_id,
        "share_network_id": share.share_network_id,
        "share_proto": share.share_proto,
        "metadata": share.metadata_dict(),
        "share_type": share.share_type_id if at_least(req, "2.6") else type_name,
        "volume_type": type_name,
        "is_public": share.is_public,
        "links": links(req, "shares", share.id),
    }
    if not at_least(req, "2.9"):
        paths = [el.path for el in inst.export_locations if not el.is_admin_only]
        body["export_location"] = paths[0] if paths else None
        body["export_locations"] = paths
    for first, field, value in _VERSIONED:
        if at_least(req, first) and value is not None:
            body[field] = value(share)
    if body.get("access_rules_status") == "syncing" and not at_least(req, "2.28"):
        body["access_rules_status"] = "out_of_sync"
    for first, last, field, value in _RANGED:
        if at_least(req, first) and not at_least(req, _next(last)):
            body[field] = value(share)
    if ctx(req).is_admin:
        body["host"] = inst.host
        body["share_server_id"] = inst.share_server_id
    return body


def _next(version: str) -> str:
    major, minor = version.split(".")
    return f"{major}.{int(minor) + 1}"
