"""Security services as each microversion shows them (the password too, as Manila)."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, isotime
from abaca.db.models import SecurityService


def summary(req: falcon.Request, service: SecurityService) -> dict[str, Any]:
    # "status" left the model in Manila long ago; its view still says "new".
    return {"id": service.id, "name": service.name, "type": service.type, "status": "new"}


def detail(req: falcon.Request, service: SecurityService) -> dict[str, Any]:
    body = summary(req, service)
    body.update({"created_at": isotime(service.created_at),
                 "updated_at": isotime(service.updated_at),
                 "description": service.description, "dns_ip": service.dns_ip,
                 "server": service.server, "domain": service.domain, "user": service.user,
                 "password": service.password, "project_id": service.project_id})
    if at_least(req, "2.44"):
        body["ou"] = service.ou
    return body
