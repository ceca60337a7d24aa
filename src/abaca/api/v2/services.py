"""/v2/services (2.7; /os-services before): list, enable, disable. Admin only."""

from __future__ import annotations

from typing import Any

import falcon

from abaca import policy
from abaca.api import microversion
from abaca.api.common import Deps, at_least, ctx, isotime, query_params, read_json, send, version
from abaca.common.errors import Invalid, NotFound
from abaca.db.models import Service
from abaca.db.repositories import services as services_repo
from abaca.services import validation


def _check(req: falcon.Request, legacy: bool, rule: str) -> None:
    if legacy:
        microversion.require(version(req), "2.0", "2.6")
    else:
        microversion.require(version(req), "2.7")
    policy.authorize(ctx(req), rule)


class Services:
    def __init__(self, deps: Deps, *, legacy: bool) -> None:
        self.deps = deps
        self.legacy = legacy

    def _view(self, svc: Service) -> dict[str, Any]:
        up = services_repo.is_up(svc, self.deps.conf.service_down_time)
        return {
            "id": svc.id,
            "binary": svc.binary,
            "host": svc.host,
            "zone": svc.availability_zone.name if svc.availability_zone else None,
            "status": "disabled" if svc.disabled else "enabled",
            "state": "up" if up else "down",
            "updated_at": isotime(svc.heartbeat_at),
        }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        _check(req, self.legacy, "service:index")
        params = query_params(req)
        with self.deps.db.read() as session:
            found = [self._view(s) for s in services_repo.list_services(session)]
        for key in ("host", "binary", "zone", "state", "status"):
            if key in params:
                found = [s for s in found if s[key] == params[key]]
        send(resp, {"services": found})


class ServiceAction:
    def __init__(self, deps: Deps, *, legacy: bool) -> None:
        self.deps = deps
        self.legacy = legacy

    def on_put(self, req: falcon.Request, resp: falcon.Response, action: str) -> None:
        _check(req, self.legacy, "service:update")
        if action not in ("enable", "disable"):
            raise NotFound("The resource could not be found.")
        data = read_json(req, self.deps.conf.api.max_request_body_size)
        if not isinstance(data, dict):
            raise Invalid("Malformed request body: expected an object with host and binary.")
        host = validation.text(data.get("host"), "host", allow_none=False, allow_empty=False)
        binary = validation.text(data.get("binary"), "binary", allow_none=False,
                                 allow_empty=False)
        reason = None
        if action == "disable" and at_least(req, "2.83"):
            reason = validation.text(data.get("disabled_reason"), "disabled_reason")
        with self.deps.db.write() as session:
            svc = services_repo.get_by_host_binary(session, host or "", binary or "")
            if svc is None:
                raise NotFound(f"Service {binary} on host {host} could not be found.")
            svc.disabled = action == "disable"
            svc.disabled_reason = reason if svc.disabled else None
        body: dict[str, Any] = {"host": host, "binary": binary, "disabled": action == "disable"}
        if at_least(req, "2.83"):
            body["disabled_reason"] = reason
        send(resp, body)
