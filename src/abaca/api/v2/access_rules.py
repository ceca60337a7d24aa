"""/v2/share-access-rules (2.45): list by share, show, and access metadata."""

from __future__ import annotations

import falcon

from abaca.api import microversion
from abaca.api.common import Deps, ctx, query_params, read_json, send, version
from abaca.api.views import access as views
from abaca.common.errors import Invalid
from abaca.services.share_listing import dict_param


class AccessRules:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        microversion.require(version(req), "2.45")
        params = query_params(req)
        if not params.get("share_id"):
            raise Invalid("share_id is required to list access rules.")
        metadata = dict_param(params["metadata"], "metadata") if "metadata" in params \
            else None
        rules = self.deps.access.list_for_share(ctx(req), params["share_id"], metadata,
                                                rule="share_access_rule:index")
        send(resp, {"access_list": [views.rule(req, r, with_share=False) for r in rules]})


class AccessRule:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, rule_id: str) -> None:
        microversion.require(version(req), "2.45")
        send(resp, {"access": views.rule(req, self.deps.access.get(ctx(req), rule_id))})


class AccessMetadata:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_put(self, req: falcon.Request, resp: falcon.Response, rule_id: str) -> None:
        microversion.require(version(req), "2.45")
        data = read_json(req, self.deps.conf.api.max_request_body_size)
        if not isinstance(data, dict) or "metadata" not in data:
            raise Invalid("Malformed request body: expected an object with key 'metadata'.")
        items = self.deps.access.set_metadata(ctx(req), rule_id, data["metadata"])
        send(resp, {"metadata": items})


class AccessMetadataItem:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_delete(self, req: falcon.Request, resp: falcon.Response, rule_id: str,
                  key: str) -> None:
        microversion.require(version(req), "2.45")
        self.deps.access.delete_metadata(ctx(req), rule_id, key)
        resp.status = 200
        resp.text = ""
