"""Share groups, group snapshots and group types as each microversion shows them."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, ctx, isotime, links
from abaca.db.models import ShareGroup, ShareGroupSnapshot, ShareGroupType


def group_summary(req: falcon.Request, group: ShareGroup) -> dict[str, Any]:
    return {"id": group.id, "name": group.display_name,
            "links": links(req, "share-groups", group.id)}


def group_detail(req: falcon.Request, group: ShareGroup) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": group.id, "name": group.display_name, "created_at": isotime(group.created_at),
        "status": group.status, "description": group.display_description,
        "project_id": group.project_id, "host": group.host,
        "share_group_type_id": group.share_group_type_id,
        "source_share_group_snapshot_id": group.source_share_group_snapshot_id,
        "share_network_id": group.share_network_id,
        "share_types": group.share_type_ids(),
        "links": links(req, "share-groups", group.id),
    }
    if at_least(req, "2.34"):
        body["availability_zone"] = group.availability_zone
        body["consistent_snapshot_support"] = group.consistent_snapshot_support
    if ctx(req).is_admin:
        body["share_server_id"] = group.share_server_id
    return body


def snapshot_summary(req: falcon.Request, snap: ShareGroupSnapshot) -> dict[str, Any]:
    return {"id": snap.id, "name": snap.display_name,
            "links": links(req, "share-group-snapshots", snap.id)}


def snapshot_detail(req: falcon.Request, snap: ShareGroupSnapshot) -> dict[str, Any]:
    return {
        "id": snap.id, "name": snap.display_name, "created_at": isotime(snap.created_at),
        "status": snap.status, "description": snap.display_description,
        "project_id": snap.project_id, "share_group_id": snap.share_group_id,
        "members": [{"id": m.id, "size": m.size, "share_id": m.share_id}
                    for m in snap.members],
        "links": links(req, "share-group-snapshots", snap.id),
    }


def members(snap: ShareGroupSnapshot) -> list[dict[str, Any]]:
    return [{"id": m.id, "created_at": isotime(m.created_at), "size": m.size,
             "share_protocol": m.share_proto, "project_id": m.project_id,
             "share_group_snapshot_id": m.share_group_snapshot_id, "share_id": m.share_id,
             "share_type_id": m.share_type_id}
            for m in snap.members]


def group_type(req: falcon.Request, gt: ShareGroupType,
               default_name: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": gt.id, "name": gt.name, "is_public": gt.is_public,
                            "group_specs": gt.specs(), "share_types": gt.share_type_ids()}
    if at_least(req, "2.46"):
        body["is_default"] = default_name is not None and gt.name == default_name
    return body
