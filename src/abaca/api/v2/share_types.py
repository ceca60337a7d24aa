"""/v2/types, /v2/types/default, /v2/types/{id} and their extra specs."""

from __future__ import annotations

import falcon

from abaca import policy
from abaca.api import microversion
from abaca.api.common import (
    Deps,
    accepted,
    action_of,
    at_least,
    body_of,
    ctx,
    query_params,
    read_json,
    send,
    version,
)
from abaca.api.views.share_types import share_type as view
from abaca.common.errors import Invalid, NotFound
from abaca.services import share_types, validation
from abaca.services.share_listing import dict_param


def _authorize(req: falcon.Request, rule: str) -> None:
    policy.authorize(ctx(req), rule)


class Types:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        _authorize(req, "share_type:index")
        params = query_params(req)
        is_public = share_types.listed_visibility(params.get("is_public", "true"),
                                                  ctx(req).is_admin)
        with self.deps.db.read() as session:
            found = share_types.list_types(session, is_public=is_public,
                                           project_id=ctx(req).project_id,
                                           is_admin=ctx(req).is_admin)
            if at_least(req, "2.43") and "extra_specs" in params:
                found = share_types.with_specs(
                    found, dict_param(params["extra_specs"], "extra_specs"))
            default = share_types.default(session, self.deps.conf)
        default_id = default.id if default else None
        send(resp, {"share_types": [view(req, t, default_id) for t in found],
                    "volume_types": [view(req, t, default_id) for t in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        _authorize(req, "share_type:create")
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
        _authorize(req, "share_type:default")
        with self.deps.db.read() as session:
            st = share_types.default(session, self.deps.conf)
        if st is None:
            raise NotFound("Default share type is not configured.")
        send(resp, {"share_type": view(req, st, st.id), "volume_type": view(req, st, st.id)})


class Type:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        _authorize(req, "share_type:show")
        with self.deps.db.read() as session:
            st = share_types.find(session, type_id, ctx(req).project_id, ctx(req).is_admin)
            default = share_types.default(session, self.deps.conf)
        body = view(req, st, default.id if default else None)
        send(resp, {"share_type": body, "volume_type": body})

    def on_put(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        microversion.require(version(req), "2.50")
        _authorize(req, "share_type:update")
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
        _authorize(req, "share_type:delete")
        with self.deps.db.write() as session:
            share_types.delete(session, share_types.find(session, type_id))
        accepted(resp)


class ExtraSpecs:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        _authorize(req, "share_types_extra_spec:index")
        with self.deps.db.read() as session:
            st = share_types.find(session, type_id, ctx(req).project_id, ctx(req).is_admin)
        send(resp, {"extra_specs": st.specs()})

    def on_post(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        _authorize(req, "share_types_extra_spec:create")
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
        _authorize(req, "share_types_extra_spec:show")
        with self.deps.db.read() as session:
            specs = share_types.find(session, type_id, ctx(req).project_id,
                                     ctx(req).is_admin).specs()
        if key not in specs:
            raise NotFound(f"Share type {type_id} has no extra spec with key {key}.")
        send(resp, {key: specs[key]})

    def on_put(self, req: falcon.Request, resp: falcon.Response, type_id: str,
               key: str) -> None:
        _authorize(req, "share_types_extra_spec:update")
        data = read_json(req, self.deps.conf.api.max_request_body_size)
        if not isinstance(data, dict) or list(data) != [key]:
            raise Invalid("Request body and URI mismatch.")
        specs = share_types.check_specs(data, require=False)
        with self.deps.db.write() as session:
            share_types.set_specs(session, share_types.find(session, type_id), specs)
        send(resp, specs)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, type_id: str,
                  key: str) -> None:
        _authorize(req, "share_types_extra_spec:delete")
        with self.deps.db.write() as session:
            share_types.delete_spec(session, share_types.find(session, type_id), key)
        accepted(resp)


class TypeAccess:
    """GET /types/{id}/share_type_access (``os-share-type-access`` before 2.7)."""

    def __init__(self, deps: Deps, *, legacy: bool) -> None:
        self.deps = deps
        self.legacy = legacy

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        if self.legacy:
            microversion.require(version(req), "2.0", "2.6")
        else:
            microversion.require(version(req), "2.7")
        with self.deps.db.read() as session:
            st = share_types.find(session, type_id)
            policy.authorize(ctx(req), "share_type:list_project_access",
                             {"project_id": ctx(req).project_id})
            projects = share_types.access_list(session, st)
        send(resp, {"share_type_access": [{"share_type_id": st.id, "project_id": p}
                                          for p in projects]})


class TypeAction:
    """POST /types/{id}/action: addProjectAccess / removeProjectAccess (202)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        name, value = action_of(req, self.deps)
        change = {"addProjectAccess": ("add_project_access", share_types.add_access),
                  "removeProjectAccess": ("remove_project_access",
                                          share_types.remove_access)}.get(name)
        if change is None:
            raise Invalid(f"There is no such action: {name}")
        rule, apply = change
        policy.authorize(ctx(req), f"share_type:{rule}", {"project_id": ctx(req).project_id})
        with self.deps.db.write() as session:
            apply(session, share_types.find(session, type_id), value)
        accepted(resp)
