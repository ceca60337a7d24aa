"""/v2/shares/{id}/export_locations[/{el_id}] (2.9)."""

from __future__ import annotations

from typing import Any

import falcon

from abaca import policy
from abaca.api import microversion
from abaca.api.common import Deps, at_least, ctx, isotime, send, version
from abaca.common.errors import NotFound
from abaca.db.models import ExportLocation


def view(req: falcon.Request, el: ExportLocation, *, detail: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"id": el.id, "path": el.path}
    if ctx(req).is_admin:
        body["share_instance_id"] = el.share_instance_id
        body["is_admin_only"] = el.is_admin_only
    if at_least(req, "2.14"):
        body["preferred"] = el.preferred
    if detail:
        body["created_at"] = isotime(el.created_at)
        body["updated_at"] = isotime(el.updated_at)
    return body


class ExportLocations:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _locations(self, req: falcon.Request, share_id: str,
                   rule: str = "share_export_location:index") -> list[ExportLocation]:
        microversion.require(version(req), "2.9")
        share = self.deps.shares.get(ctx(req), share_id)
        policy.authorize_on(ctx(req), rule, share)
        # From 2.47 a replicated share lists only its active replica's locations (the
        # others are under /share-replicas/{id}/export-locations); before, every one.
        instances = ([share.instance] if at_least(req, "2.47") else
                     [i for i in share.instances if i.status == "available"
                      or i is share.instance])
        return [el for inst in instances for el in inst.export_locations
                if ctx(req).is_admin or not el.is_admin_only]

    def on_get(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        send(resp, {"export_locations": [view(req, el, detail=False)
                                         for el in self._locations(req, share_id)]})


class ExportLocation_(ExportLocations):
    def on_get(  # type: ignore[override]
            self, req: falcon.Request, resp: falcon.Response, share_id: str,
            el_id: str) -> None:
        for el in self._locations(req, share_id, "share_export_location:show"):
            if el.id == el_id:
                send(resp, {"export_location": view(req, el, detail=True)})
                return
        raise NotFound(f"Export location {el_id} could not be found.")
