"""Snapshots as each microversion shows them."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, ctx, isotime, links
from abaca.db.models import ShareSnapshot


def summary(req: falcon.Request, snap: ShareSnapshot) -> dict[str, Any]:
    return {"id": snap.id, "name": snap.display_name,
            "links": links(req, "snapshots", snap.id)}


def detail(req: falcon.Request, snap: ShareSnapshot) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": snap.id, "share_id": snap.share_id, "share_size": snap.share_size,
        "created_at": isotime(snap.created_at), "status": snap.status,
        "name": snap.display_name, "description": snap.display_description,
        "size": snap.size, "share_proto": snap.share_proto,
        "links": links(req, "snapshots", snap.id),
    }
    if at_least(req, "2.12") and ctx(req).is_admin:
        body["provider_location"] = snap.provider_location
    if at_least(req, "2.17"):
        body["user_id"] = snap.user_id
        body["project_id"] = snap.project_id
    return body
