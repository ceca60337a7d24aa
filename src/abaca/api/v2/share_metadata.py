"""/v2/shares/{id}/metadata[/{key}]."""

from __future__ import annotations

import falcon

from abaca.api.common import Deps, ctx, read_json, send
from abaca.common.errors import Invalid, NotFound


class Metadata:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _items(self, req: falcon.Request, key: str = "metadata") -> object:
        data = read_json(req, self.deps.conf.api.max_request_body_size)
        if not isinstance(data, dict) or key not in data:
            raise Invalid(f"Malformed request body: expected an object with key '{key}'.")
        return data[key]

    def on_get(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        send(resp, {"metadata": self.deps.shares.metadata(ctx(req), share_id)})

    def on_post(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        items = self.deps.shares.set_metadata(ctx(req), share_id, self._items(req),
                                              replace=False)
        send(resp, {"metadata": items})

    def on_put(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        items = self.deps.shares.set_metadata(ctx(req), share_id, self._items(req),
                                              replace=True)
        send(resp, {"metadata": items})


class MetadataItem(Metadata):
    def on_get(  # type: ignore[override]
            self, req: falcon.Request, resp: falcon.Response, share_id: str,
            key: str) -> None:
        items = self.deps.shares.metadata(ctx(req), share_id)
        if key not in items:
            raise NotFound(f"Metadata item {key} was not found.")
        send(resp, {"meta": {key: items[key]}})

    def on_put(  # type: ignore[override]
            self, req: falcon.Request, resp: falcon.Response, share_id: str,
            key: str) -> None:
        meta = self._items(req, "meta")
        if not isinstance(meta, dict) or len(meta) != 1 or key not in meta:
            raise Invalid("Request body and URI mismatch: 'meta' must hold exactly the "
                          "key of the URI.")
        self.deps.shares.set_metadata(ctx(req), share_id, meta, replace=False)
        send(resp, {"meta": meta})

    on_post = on_put  # type: ignore[assignment]

    def on_delete(self, req: falcon.Request, resp: falcon.Response, share_id: str,
                  key: str) -> None:
        self.deps.shares.delete_metadata(ctx(req), share_id, key)
        resp.status = 200
        resp.text = ""
