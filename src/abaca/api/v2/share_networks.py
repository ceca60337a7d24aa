"""/v2/share-networks: create, list, detail, show, update, delete and actions."""

from __future__ import annotations

from typing import Any

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
from abaca.api.views import share_networks as views
from abaca.common.errors import Invalid

CHECKS = ("update_security_service_check", "add_security_service_check")


class ShareNetworks:
    def __init__(self, deps: Deps, *, detailed: bool = False) -> None:
        self.deps = deps
        self.detailed = detailed

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        found = self.deps.share_networks.list(ctx(req), query_params(req),
                                              detailed=self.detailed,
                                              inexact=at_least(req, "2.36"))
        view = views.detail if self.detailed else views.summary
        send(resp, {"share_networks": [view(req, n) for n in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self.detailed:
            raise falcon.HTTPMethodNotAllowed(["GET"])
        info = self.deps.share_networks.create(
            ctx(req), body_of(req, self.deps, "share_network"),
            with_zone=at_least(req, "2.51"))
        send(resp, {"share_network": views.detail(req, info)})


class ShareNetwork:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        info = self.deps.share_networks.get(ctx(req), network_id)
        send(resp, {"share_network": views.detail(req, info)})

    def on_put(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        info = self.deps.share_networks.update(ctx(req), network_id,
                                               body_of(req, self.deps, "share_network"))
        send(resp, {"share_network": views.detail(req, info)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        self.deps.share_networks.delete(ctx(req), network_id)
        accepted(resp)


class ShareNetworkAction:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        name, value = action_of(req, self.deps)
        services = self.deps.share_networks
        new_api = at_least(req, "2.63")
        result: Any
        if name == "add_security_service":
            result = services.add_security_service(ctx(req), network_id, value,
                                                   updates_supported_api=new_api)
        elif name == "remove_security_service":
            result = services.remove_security_service(ctx(req), network_id, value)
        elif name == "update_security_service" and new_api:
            result = services.update_security_service(ctx(req), network_id, value)
        elif name in CHECKS and new_api:
            send(resp, services.security_service_check(
                ctx(req), network_id, value, operation=name.removesuffix("_check")))
            return
        elif name == "reset_status" and new_api:
            services.reset_status(ctx(req), network_id, value)
            accepted(resp)
            return
        else:
            raise Invalid(f"There is no such action: {name}")
        send(resp, {"share_network": views.detail(req, result)})


class Subnets:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        microversion.require(version(req), "2.51")
        found = self.deps.subnets.list(ctx(req), network_id)
        send(resp, {"share_network_subnets": [views.subnet(req, s) for s in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        microversion.require(version(req), "2.51")
        sub = self.deps.subnets.create(ctx(req), network_id,
                                       body_of(req, self.deps, "share-network-subnet"))
        send(resp, {"share_network_subnet": views.subnet(req, sub)})


class Subnet:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, network_id: str,
               subnet_id: str) -> None:
        microversion.require(version(req), "2.51")
        sub = self.deps.subnets.get(ctx(req), network_id, subnet_id)
        send(resp, {"share_network_subnet": views.subnet(req, sub)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, network_id: str,
                  subnet_id: str) -> None:
        microversion.require(version(req), "2.51")
        self.deps.subnets.delete(ctx(req), network_id, subnet_id)
        accepted(resp)
