"""/v2/share-servers (admin): list, show, backend details, delete, actions, manage."""

from __future__ import annotations

import falcon

from abaca.api import microversion
from abaca.api.common import (
    Deps,
    accepted,
    action_of,
    at_least,
    body_of,
    ctx,
    query_params,
    send,
    version,
)
from abaca.api.views import share_servers as views
from abaca.common.errors import Invalid


class ShareServers:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        found = self.deps.share_servers.list(ctx(req), query_params(req))
        send(resp, {"share_servers": [views.summary(req, s) for s in found]})


class ShareServer:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        send(resp, {"share_server": views.detail(req, self.deps.share_servers.get(
            ctx(req), server_id))})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        self.deps.share_servers.delete(ctx(req), server_id)
        accepted(resp)


class ShareServerDetails:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        send(resp, {"details": self.deps.share_servers.details(ctx(req), server_id)})


class ShareServerAction:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        name, value = action_of(req, self.deps)
        if name == "reset_status" and at_least(req, "2.49"):
            self.deps.share_servers.reset_status(ctx(req), server_id, value)
        elif name == "unmanage" and at_least(req, "2.49"):
            self.deps.share_servers.unmanage(ctx(req), server_id, value)
        else:
            raise Invalid(f"There is no such action: {name}")
        accepted(resp)


class ManageShareServer:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        microversion.require(version(req), "2.49")
        server = self.deps.share_servers.manage(
            ctx(req), body_of(req, self.deps, "share_server"),
            with_subnet=at_least(req, "2.51"))
        send(resp, {"share_server": views.detail(req, server)}, 202)
