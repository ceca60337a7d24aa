"""Manage and unmanage shares (admin): /shares/manage from 2.7, /os-share-manage and
/os-share-unmanage/{id}/unmanage before."""

from __future__ import annotations

import falcon

from abaca import policy
from abaca.api import microversion
from abaca.api.common import Deps, accepted, body_of, ctx, send, version
from abaca.api.views import shares as views


class ManageShare:
    def __init__(self, deps: Deps, *, legacy: bool) -> None:
        self.deps = deps
        self.legacy = legacy

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self.legacy:
            microversion.require(version(req), "2.0", "2.6")
        else:
            microversion.require(version(req), "2.7")
        policy.authorize(ctx(req), "share:manage")
        share_id = self.deps.actions.manage(ctx(req), body_of(req, self.deps, "share"))
        send(resp, {"share": views.detail(req, self.deps.shares.get(ctx(req), share_id))})


class LegacyUnmanage:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        microversion.require(version(req), "2.0", "2.6")
        policy.authorize(ctx(req), "share:unmanage")
        self.deps.actions.unmanage(ctx(req), share_id)
        accepted(resp)
