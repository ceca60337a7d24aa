"""/v2/share-groups: create, list, detail, show, update, delete, reset_status and
force_delete actions (2.31; experimental until 2.55)."""

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
from abaca.api.views import share_groups as views
from abaca.common.errors import Invalid, NotFound
from abaca.services.share_groups import ShareGroupServices

FIRST = "2.31"
GRADUATED = "2.55"


def require_group_api(req: falcon.Request, resp: falcon.Response) -> None:
    """Share groups exist from 2.31; before 2.55 only for requests that carry the
    experimental header (otherwise, as in Manila, there is no such method: 404), which
    the answer then carries too."""
    microversion.require(version(req), FIRST)
    if at_least(req, GRADUATED):
        return
    header = (req.get_header(microversion.EXPERIMENTAL_HEADER) or "").strip().lower()
    if header != "true":
        raise NotFound("The resource could not be found.")
    resp.set_header(microversion.EXPERIMENTAL_HEADER, "true")


def services(deps: Deps) -> ShareGroupServices:
    return ShareGroupServices(deps.conf, deps.db, deps.scheduler_rpc, deps.share_rpc)


class ShareGroups:
    def __init__(self, deps: Deps, *, detailed: bool = False) -> None:
        self.deps = deps
        self.detailed = detailed
        self.groups = services(deps)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_group_api(req, resp)
        found = self.groups.list_groups(ctx(req), query_params(req),
                                        inexact=at_least(req, "2.36"),
                                        max_limit=self.deps.conf.api.max_limit)
        view = views.group_detail if self.detailed else views.group_summary
        send(resp, {"share_groups": [view(req, g) for g in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_group_api(req, resp)
        if self.detailed:
            raise falcon.HTTPMethodNotAllowed(["GET"])
        group = self.groups.create(ctx(req), body_of(req, self.deps, "share_group"))
        send(resp, {"share_group": views.group_detail(req, group)}, 202)


class ShareGroup:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.groups = services(deps)

    def on_get(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        require_group_api(req, resp)
        send(resp, {"share_group": views.group_detail(req, self.groups.get(ctx(req),
                                                                            group_id))})

    def on_put(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        require_group_api(req, resp)
        group = self.groups.update(ctx(req), group_id, body_of(req, self.deps, "share_group"))
        send(resp, {"share_group": views.group_detail(req, group)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        require_group_api(req, resp)
        self.groups.delete(ctx(req), group_id)
        accepted(resp)


class ShareGroupAction:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.groups = services(deps)

    def on_post(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        require_group_api(req, resp)
        name, value = action_of(req, self.deps)
        if name == "reset_status":
            status = value.get("status") if isinstance(value, dict) else None
            self.groups.reset_status(ctx(req), group_id, status)
        elif name == "force_delete":
            self.groups.force_delete(ctx(req), group_id)
        else:
            raise Invalid(f"There is no such action: {name}")
        accepted(resp)
