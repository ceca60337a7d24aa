"""/v2/share-replicas (2.11; experimental until 2.55, then GA) and their export
locations (2.47).

Below 2.56 every replica request must carry ``X-OpenStack-Manila-API-Experimental:
true``; without it the method does not exist at that version (404), as in Manila.
"""

from __future__ import annotations

from collections.abc import Callable
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
from abaca.api.views import share_replicas as views
from abaca.common.errors import Invalid, NotFound
from abaca.services.share_replicas import ReplicaServices

GA = "2.56"


def require(req: falcon.Request, resp: falcon.Response, minimum: str = "2.11") -> None:
    microversion.require(version(req), minimum)
    if at_least(req, GA):
        return
    header = req.get_header(microversion.EXPERIMENTAL_HEADER) or ""
    if header.strip().lower() != "true":
        raise NotFound("The resource could not be found: share replicas below API "
                       f"{GA} are experimental and need the header "
                       f"{microversion.EXPERIMENTAL_HEADER}: true.")
    resp.set_header(microversion.EXPERIMENTAL_HEADER, "true")


class _Base:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.svc = ReplicaServices(deps.conf, deps.db, deps.scheduler_rpc, deps.share_rpc)


class Replicas(_Base):
    def __init__(self, deps: Deps, *, detailed: bool = False) -> None:
        super().__init__(deps)
        self.detailed = detailed

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require(req, resp)
        found = self.svc.list_replicas(ctx(req), query_params(req))
        view = views.detail if self.detailed else views.summary
        send(resp, {"share_replicas": [view(req, r) for r in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        require(req, resp)
        if self.detailed:
            raise falcon.HTTPMethodNotAllowed(["GET"])
        replica = self.svc.create(ctx(req), body_of(req, self.deps, "share_replica"),
                                  with_only_host=at_least(req, "2.67"))
        send(resp, {"share_replica": views.detail(req, replica)}, 202)


class Replica(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, replica_id: str) -> None:
        require(req, resp)
        send(resp, {"share_replica": views.detail(req, self.svc.get(ctx(req),
                                                                         replica_id))})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, replica_id: str) -> None:
        require(req, resp)
        self.svc.delete(ctx(req), replica_id)
        accepted(resp)


def _arg(value: Any, key: str) -> Any:
    if not isinstance(value, dict):
        raise Invalid("The action's arguments must be an object.")
    if key not in value:
        raise Invalid(f"Missing '{key}' in the action's arguments.")
    return value[key]


class ReplicaAction(_Base):
    def on_post(self, req: falcon.Request, resp: falcon.Response, replica_id: str) -> None:
        require(req, resp)
        name, value = action_of(req, self.deps)
        handler = self._actions().get(name)
        if handler is None:
            raise Invalid(f"Unknown action {name!r}.")
        handler(req, resp, replica_id, value)

    def _actions(self) -> dict[str, Callable[[falcon.Request, falcon.Response, str, Any],
                                             None]]:
        return {"promote": self._promote, "resync": self._resync,
                "reset_status": self._reset_status,
                "reset_replica_state": self._reset_replica_state,
                "force_delete": self._force_delete}

    def _promote(self, req: falcon.Request, resp: falcon.Response, replica_id: str,
                 value: Any) -> None:
        if value is not None and not isinstance(value, dict):
            raise Invalid("The action's arguments must be an object.")
        started = self.svc.promote(ctx(req), replica_id)
        _status_only(resp, 202 if started else 200)

    def _resync(self, req: falcon.Request, resp: falcon.Response, replica_id: str,
                value: Any) -> None:
        started = self.svc.resync(ctx(req), replica_id)
        _status_only(resp, 202 if started else 200)

    def _reset_status(self, req: falcon.Request, resp: falcon.Response, replica_id: str,
                      value: Any) -> None:
        self.svc.reset_status(ctx(req), replica_id, _arg(value, "status"))
        accepted(resp)

    def _reset_replica_state(self, req: falcon.Request, resp: falcon.Response,
                             replica_id: str, value: Any) -> None:
        self.svc.reset_replica_state(ctx(req), replica_id, _arg(value, "replica_state"))
        accepted(resp)

    def _force_delete(self, req: falcon.Request, resp: falcon.Response, replica_id: str,
                      value: Any) -> None:
        self.svc.delete(ctx(req), replica_id, force=True)
        accepted(resp)


def _status_only(resp: falcon.Response, status: int) -> None:
    resp.status = status
    resp.text = ""
    resp.content_type = falcon.MEDIA_JSON


class ReplicaExportLocations(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, replica_id: str) -> None:
        require(req, resp, "2.47")
        replica, els = self.svc.export_locations(ctx(req), replica_id,
                                                 "share_replica_export_location:index")
        send(resp, {"export_locations": [
            views.export_location(req, replica, el, detail=False) for el in els]})


class ReplicaExportLocation(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, replica_id: str,
               el_id: str) -> None:
        require(req, resp, "2.47")
        replica, els = self.svc.export_locations(ctx(req), replica_id,
                                                 "share_replica_export_location:show")
        for el in els:
            if el.id == el_id:
                send(resp, {"export_location": views.export_location(
                    req, replica, el, detail=True)})
                return
        raise NotFound(f"Export location {el_id} could not be found.")
