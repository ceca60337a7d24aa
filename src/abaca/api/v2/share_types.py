"""/v2/types, /v2/types/default, /v2/types/{id} and their extra specs."""

from __future__ import annotations

import falcon

from abaca.api import microversion
from abaca.api.common import (
    Deps,
    accepted,
    at_least,
    body_of,
    ctx,
    query_params,
    read_json,
    send,
    version,
)
from abaca.api.views.share_types import share_type as view
from abaca.common.errors import Forbidden, Invalid, NotFound
from abaca.services import share_types, validation
from abaca.services.share_listing import dict_param


def _require_admin(req: falcon.Request) -> None:
    if not ctx(req).is_admin:
        raise Forbidden("Only administrators manage share types.")


class Types:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = query_params(req)
        raw = params.get("is_public", "true")
        is_public = None if raw.lower() == "all" else validation.boolean(raw, "is_public")
        if not ctx(req).is_admin and is_public is False:
            is_public = None
        with self.deps.db.read() as session:
            found = share_types.list_types(session, is_public=is_public,
                                           project_id=ctx(req).project_id,
                                           is_admin=ctx(req).is_admin)
            if at_least(req, "2.43") and "extra_specs" in params:
                wanted = dict_param(params["extra_specs"], "extra_specs")
                found = [t for t in found
                         if all(t.specs().get(k) == val for k, val in wanted.items())]
            default = share_types.default(session, self.deps.conf)
        default_id = default.id if default else None
        send(resp, {"share_types": [view(req, t, default_id) for t in found],
                    "volume_types": [view(req, t, default_id) for t in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        _require_admin(req)
        data = read_json(req, self.deps.conf.api.max_request_body_size)
        body = data.get("share_type", data.get("volume_type")) if isinstance(data, dict) \
            else None
        if not isinstance(body, dict):
            raise Invalid("Malformed request body: expected an object with key 'share_type'.")
        public_key = "share_type_access:is_public" if at_least(req, "2.7") \
            else "os-share-type-access:is_public"
        is_public = validation.boolean(body.get(public_key, body.get("is_public", True)),
                                       public_key)
        description = body.get("description") if at_least(req, "2.41") else None
        with self.deps.db.write() as session:
            st = share_types.create(session, name=body.get("name"),
                                    specs=body.get("extra_specs"), is_public=is_public,
                                    description=description)
            default = share_types.default(session, self.deps.conf)
        with self.deps.db.read() as session:
            st = share_types.find(session, st.id)
        send(resp, {"share_type": view(req, st, default.id if default else None),
                    "volume_type": view(req, st, default.id if default else None)})


class DefaultType:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.deps.db.read() as session:
            st = share_types.default(session, self.deps.conf)
        if st is None:
            raise NotFound("Default share type is not configured.")
        send(resp, {"share_type": view(req, st, st.id), "volume_type": view(req, st, st.id)})


class Type:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        with self.deps.db.read() as session:
            st = share_types.find(session, type_id, ctx(req).project_id, ctx(req).is_admin)
            default = share_types.default(session, self.deps.conf)
        body = view(req, st, default.id if default else None)
        send(resp, {"share_type": body, "volume_type": body})

    def on_put(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        microversion.require(version(req), "2.50")
        _require_admin(req)
        body = body_of(req, self.deps, "share_type")
        if not {"name", "description", "share_type_access:is_public"} & set(body):
            raise Invalid("Give at least one of name, description and "
                          "share_type_access:is_public.")
        with self.deps.db.write() as session:
            st = share_types.find(session, type_id)
            share_types.update(session, st, body)
            default = share_types.default(session, self.deps.conf)
        with self.deps.db.read() as session:
            st = share_types.find(session, type_id)
        send(resp, {"share_type": view(req, st, default.id if default else None)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        _require_admin(req)
        with self.deps.db.write() as session:
            share_types.delete(session, share_types.find(session, type_id))
        accepted(resp)


class ExtraSpecs:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        with self.deps.db.read() as session:
            st = share_types.find(session, type_id, ctx(req).project_id, ctx(req).is_admin)
        send(resp, {"extra_specs": st.specs()})

    def on_post(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        _require_admin(req)
        data = read_json(req, self.deps.conf.api.max_request_body_size)
        if not isinstance(data, dict) or not isinstance(data.get("extra_specs"), dict) \
                or not data["extra_specs"]:
            raise Invalid("Malformed request body: expected a non-empty 'extra_specs' object.")
        specs = share_types.check_specs(data["extra_specs"], require=False)
        with self.deps.db.write() as session:
            share_types.set_specs(session, share_types.find(session, type_id), specs)
        send(resp, {"extra_specs": specs})


class ExtraSpec:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str,
               key: str) -> None:
        with self.deps.db.read() as session:
            specs = share_types.find(session, type_id, ctx(req).project_id,
                                     ctx(req).is_admin).specs()
        if key not in specs:
            raise NotFound(f"Share type {type_id} has no extra spec with key {key}.")
        send(resp, {key: specs[key]})

    def on_put(self, req: falcon.Request, resp: falcon.Response, type_id: str,
               key: str) -> None:
        _require_admin(req)
        data = read_json(req, self.deps.conf.api.max_request_body_size)
        if not isinstance(data, dict) or list(data) != [key]:
            raise Invalid("Request body and URI mismatch.")
        specs = share_types.check_specs(data, require=False)
        with self.deps.db.write() as session:
            share_types.set_specs(session, share_types.find(session, type_id), specs)
        send(resp, specs)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, type_id: str,
                  key: str) -> None:
        _require_admin(req)
        with self.deps.db.write() as session:
            share_types.delete_spec(session, share_types.find(session, type_id), key)
        accepted(resp)
