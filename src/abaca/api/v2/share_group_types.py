"""/v2/share-group-types: types, the default type, project access and group specs
(2.31; experimental until 2.55)."""

from __future__ import annotations

from typing import Any

import falcon

from abaca import policy
from abaca.api.common import Deps, action_of, at_least, ctx, query_params, read_json, send
from abaca.api.v2.share_groups import require_group_api
from abaca.api.views.share_groups import group_type as view
from abaca.common.errors import Invalid, NotFound
from abaca.services import share_group_types as types
from abaca.services import share_types, validation
from abaca.services.share_listing import dict_param


def _no_content(resp: falcon.Response) -> None:
    resp.status = 204
    resp.text = None


class GroupTypes:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_type:index")
        params = query_params(req)
        is_public = share_types.listed_visibility(params.get("is_public", "true"),
                                                  ctx(req).is_admin)
        with self.deps.db.read() as session:
            found = types.list_types(session, is_public=is_public,
                                     project_id=ctx(req).project_id,
                                     is_admin=ctx(req).is_admin)
        if at_least(req, "2.66") and "group_specs" in params:
            found = share_types.with_specs(found,
                                           dict_param(params["group_specs"], "group_specs"))
        default = self.deps.conf.default_share_group_type
        send(resp, {"share_group_types": [view(req, t, default) for t in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_type:create")
        data = read_json(req, self.deps.conf.api.max_request_body_size)
        body = data.get("share_group_type") if isinstance(data, dict) else None
        if not isinstance(body, dict):
            raise Invalid("Malformed request body: expected an object with key "
                          "'share_group_type'.")
        validation.only_keys(body, {"name", "share_types", "group_specs", "is_public"},
                             "share_group_type")
        is_public = validation.boolean(body.get("is_public", True), "is_public")
        with self.deps.db.write() as session:
            gt = types.create(session, name=body.get("name"),
                              share_type_refs=body.get("share_types"),
                              specs=body.get("group_specs"), is_public=is_public)
            type_id = gt.id
        with self.deps.db.read() as session:
            gt = types.find(session, type_id)
        send(resp, {"share_group_type": view(req, gt, self.deps.conf.default_share_group_type)})


class DefaultGroupType:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_type:default")
        with self.deps.db.read() as session:
            gt = types.default(session, self.deps.conf)
        if gt is None:
            raise NotFound("Default share group type is not configured.")
        send(resp, {"share_group_type": view(req, gt, gt.name)})


class GroupType:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_type:show")
        with self.deps.db.read() as session:
            gt = types.find(session, type_id, ctx(req).project_id, ctx(req).is_admin)
        send(resp, {"share_group_type": view(req, gt, self.deps.conf.default_share_group_type)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_type:delete")
        with self.deps.db.write() as session:
            types.delete(session, types.find(session, type_id))
        _no_content(resp)


class GroupTypeAccess:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_type:list_project_access")
        with self.deps.db.read() as session:
            gt = types.find(session, type_id)
            if gt.is_public:
                raise NotFound("Access list not available for public share group types.")
            projects = types.projects(session, gt)
        send(resp, {"share_group_type_access": [
            {"share_group_type_id": gt.id, "project_id": p} for p in projects]})


class GroupTypeAction:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        require_group_api(req, resp)
        name, value = action_of(req, self.deps)
        if name not in ("addProjectAccess", "removeProjectAccess"):
            raise Invalid(f"There is no such action: {name}")
        if not isinstance(value, dict) or "project" not in value:
            raise Invalid(f"Malformed request body: {name} needs 'project'.")
        rule = ("share_group_type:add_project_access" if name == "addProjectAccess"
                else "share_group_type:remove_project_access")
        policy.authorize(ctx(req), rule)
        with self.deps.db.write() as session:
            gt = types.find(session, type_id)
            if name == "addProjectAccess":
                types.add_project(session, gt, value["project"])
            else:
                types.remove_project(session, gt, value["project"])
        resp.status = 202
        resp.text = None


class GroupSpecs:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_types_spec:index")
        with self.deps.db.read() as session:
            gt = types.find(session, type_id)
        send(resp, {"group_specs": gt.specs()})

    def on_post(self, req: falcon.Request, resp: falcon.Response, type_id: str) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_types_spec:create")
        data = read_json(req, self.deps.conf.api.max_request_body_size)
        if not isinstance(data, dict) or not isinstance(data.get("group_specs"), dict) \
                or not data["group_specs"]:
            raise Invalid("Malformed request body: expected a non-empty 'group_specs' "
                          "object.")
        specs = types.check_specs(data["group_specs"])
        with self.deps.db.write() as session:
            types.set_specs(session, types.find(session, type_id), specs)
        send(resp, {"group_specs": specs})


class GroupSpec:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, type_id: str,
               key: str) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_types_spec:show")
        with self.deps.db.read() as session:
            specs = types.find(session, type_id).specs()
        if key not in specs:
            raise NotFound(f"Share group type {type_id} has no group spec with key {key}.")
        send(resp, {key: specs[key]})

    def on_put(self, req: falcon.Request, resp: falcon.Response, type_id: str,
               key: str) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_types_spec:update")
        data: Any = read_json(req, self.deps.conf.api.max_request_body_size)
        if not isinstance(data, dict) or list(data) != [key]:
            raise Invalid("Request body and URI mismatch.")
        specs = types.check_specs(data)
        with self.deps.db.write() as session:
            types.set_specs(session, types.find(session, type_id), specs)
        send(resp, specs)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, type_id: str,
                  key: str) -> None:
        require_group_api(req, resp)
        policy.authorize(ctx(req), "share_group_types_spec:delete")
        with self.deps.db.write() as session:
            types.delete_spec(session, types.find(session, type_id), key)
        _no_content(resp)
