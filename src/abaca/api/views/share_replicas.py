"""A share replica and its export locations as each microversion shows them."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, ctx, isotime
from abaca.api.v2.export_locations import view as export_location_view
from abaca.db.models import ExportLocation, ShareInstance


def summary(req: falcon.Request, replica: ShareInstance) -> dict[str, Any]:
    return {"id": replica.id, "share_id": replica.share_id, "status": replica.status,
            "replica_state": replica.replica_state}


def cast_rules_to_readonly(replica: ShareInstance) -> bool:
    return (replica.share.replication_type == "readable"
            and replica.replica_state != "active")


def detail(req: falcon.Request, replica: ShareInstance) -> dict[str, Any]:
    body: dict[str, Any] = {
        **summary(req, replica),
        "availability_zone": replica.availability_zone,
        "created_at": isotime(replica.created_at),
        "updated_at": isotime(replica.updated_at),
        "share_network_id": replica.share.share_network_id,
    }
    if ctx(req).is_admin:
        body["host"] = replica.host
        body["share_server_id"] = replica.share_server_id
        if at_least(req, "2.30"):
            body["cast_rules_to_readonly"] = cast_rules_to_readonly(replica)
    return body


def export_location(req: falcon.Request, replica: ShareInstance, el: ExportLocation, *,
                    detail: bool) -> dict[str, Any]:
    body = export_location_view(req, el, detail=detail)
    body["replica_state"] = replica.replica_state
    body["availability_zone"] = replica.availability_zone
    return body
