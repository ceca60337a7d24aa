"""Share instances and snapshot instances as each microversion shows them."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, isotime
from abaca.common.states import ShareStatus
from abaca.db.models import ShareInstance
from abaca.services.share_instances import SnapshotInstance

# (first version, field, value): a version adds a row, not a branch.
_VERSIONED: list[tuple[str, str, Any]] = [
    ("2.10", "access_rules_status", lambda i: i.access_rules_status),
    ("2.11", "replica_state", lambda i: None),
    ("2.22", "share_type_id", lambda i: i.share.share_type_id),
    # Only a replica of a readable type is cast read-only; an instance without
    # replicas never is.
    ("2.30", "cast_rules_to_readonly", lambda i: False),
    ("2.54", "progress", lambda i: i.progress),
]


def instance(req: falcon.Request, inst: ShareInstance) -> dict[str, Any]:
    status = inst.status
    if status == ShareStatus.CREATING_FROM_SNAPSHOT and not at_least(req, "2.54"):
        status = ShareStatus.CREATING
    body: dict[str, Any] = {
        "id": inst.id,
        "share_id": inst.share_id,
        "availability_zone": inst.availability_zone,
        "created_at": isotime(inst.created_at),
        "host": inst.host,
        "status": status,
        "share_network_id": inst.share.share_network_id,
        "share_server_id": inst.share_server_id,
    }
    if not at_least(req, "2.9"):
        paths = [el.path for el in inst.export_locations]
        body["export_location"] = paths[0] if paths else None
        body["export_locations"] = paths
    for first, field, value in _VERSIONED:
        if at_least(req, first):
            body[field] = value(inst)
    return body


def snapshot_instance(req: falcon.Request, found: SnapshotInstance, *,
                      detail: bool) -> dict[str, Any]:
    snap = found.snapshot
    body: dict[str, Any] = {"id": snap.id, "snapshot_id": snap.id, "status": snap.status}
    if detail:
        body.update({
            "created_at": isotime(snap.created_at),
            "updated_at": isotime(snap.updated_at),
            "share_id": snap.share_id,
            "share_instance_id": found.share_instance_id,
            "progress": snap.progress,
            "provider_location": snap.provider_location,
        })
    return body
