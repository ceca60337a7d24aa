"""Share servers as each microversion shows them."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, isotime
from abaca.db.models import ShareServer
from abaca.services.share_servers import network_of, project_of


def summary(req: falcon.Request, server: ShareServer) -> dict[str, Any]:
    network_id, network_name = network_of(server)
    body: dict[str, Any] = {
        "id": server.id, "project_id": project_of(server),
        "updated_at": isotime(server.updated_at), "status": server.status,
        "host": server.host, "share_network_name": network_name,
        "share_network_id": network_id,
    }
    if at_least(req, "2.49"):
        body["is_auto_deletable"] = server.is_auto_deletable
        body["identifier"] = server.identifier
    if at_least(req, "2.51"):
        body["share_network_subnet_id"] = server.share_network_subnet_id
    if at_least(req, "2.57"):
        body["task_state"] = server.task_state
        body["source_share_server_id"] = server.source_share_server_id
    if at_least(req, "2.63"):
        body["security_service_update_support"] = server.security_service_update_support
    return body


def detail(req: falcon.Request, server: ShareServer) -> dict[str, Any]:
    body = summary(req, server)
    body["created_at"] = isotime(server.created_at)
    body["backend_details"] = server.backend_details()
    return body
