"""/v2/shares: create, list, detail, show, update, delete."""

from __future__ import annotations

import falcon

from abaca.api.common import Deps, accepted, at_least, body_of, ctx, query_params, send
from abaca.api.views import shares as views
from abaca.services.share_listing import list_shares


class Shares:
    def __init__(self, deps: Deps, *, detailed: bool = False) -> None:
        self.deps = deps
        self.detailed = detailed

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = query_params(req)
        with_count = at_least(req, "2.42") and params.pop("with_count", "false").lower() in (
            "true", "1", "yes")
        with self.deps.db.read() as session:
            page = list_shares(session, ctx(req), params, max_limit=self.deps.conf.api.max_limit,
                               inexact=at_least(req, "2.36"), with_count=with_count)
        view = views.detail if self.detailed else views.summary
        body: dict[str, object] = {"shares": [view(req, s) for s in page.shares]}
        if page.count is not None:
            body["count"] = page.count
        send(resp, body)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self.detailed:
            raise falcon.HTTPMethodNotAllowed(["GET"])
        body = body_of(req, self.deps, "share")
        share = self.deps.shares.create(ctx(req), body, honour_az=at_least(req, "2.1"),
                                        with_hints=at_least(req, "2.65"),
                                        with_group=at_least(req, "2.31"),
                                        with_only_host=at_least(req, "2.67"))
        send(resp, {"share": views.detail(req, share)})


class Share:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        send(resp, {"share": views.detail(req, self.deps.shares.get(ctx(req), share_id))})

    def on_put(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        body = body_of(req, self.deps, "share")
        share = self.deps.shares.update(ctx(req), share_id, body)
        send(resp, {"share": views.detail(req, share)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        self.deps.shares.delete(ctx(req), share_id,
                                share_group_id=query_params(req).get("share_group_id"))
        accepted(resp)
