"""/v2/security-services: create, list, detail, show, update, delete."""

from __future__ import annotations

import falcon

from abaca.api.common import Deps, accepted, body_of, ctx, query_params, send
from abaca.api.views import security_services as views


class SecurityServices:
    def __init__(self, deps: Deps, *, detailed: bool = False) -> None:
        self.deps = deps
        self.detailed = detailed

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        found = self.deps.security_services.list(ctx(req), query_params(req),
                                                 detailed=self.detailed)
        view = views.detail if self.detailed else views.summary
        send(resp, {"security_services": [view(req, s) for s in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self.detailed:
            raise falcon.HTTPMethodNotAllowed(["GET"])
        service = self.deps.security_services.create(
            ctx(req), body_of(req, self.deps, "security_service"))
        send(resp, {"security_service": views.detail(req, service)})


class SecurityService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, service_id: str) -> None:
        service = self.deps.security_services.get(ctx(req), service_id)
        send(resp, {"security_service": views.detail(req, service)})

    def on_put(self, req: falcon.Request, resp: falcon.Response, service_id: str) -> None:
        service = self.deps.security_services.update(
            ctx(req), service_id, body_of(req, self.deps, "security_service"))
        send(resp, {"security_service": views.detail(req, service)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, service_id: str) -> None:
        self.deps.security_services.delete(ctx(req), service_id)
        accepted(resp)
