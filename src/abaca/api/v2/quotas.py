"""/v2/quota-sets and /v2/quota-class-sets (2.7+), and their legacy ``os-`` names
(2.0-2.6): show, detail (2.25), defaults, update and reset of a project's, a user's
(``?user_id=``) or a share type's (``?share_type=``, 2.39) quotas; show and update of
quota classes. Which resource keys appear depends on the microversion."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api import microversion
from abaca.api.common import (
    Deps,
    accepted,
    at_least,
    body_of,
    ctx,
    query_params,
    send,
    version,
)
from abaca.common.errors import Invalid
from abaca.services import validation
from abaca.services.quota_sets import QuotaSetServices, names


def _require(req: falcon.Request, legacy: bool, since: str = "2.7") -> None:
    if legacy:
        microversion.require(version(req), "2.0", "2.6")
    else:
        microversion.require(version(req), since)


def _scope(req: falcon.Request) -> tuple[str | None, str | None]:
    """(user_id, share_type) of the query; share_type only from 2.39, never both."""
    params = query_params(req)
    user_id = validation.text(params.get("user_id"), "user_id") or None
    share_type = params.get("share_type") or None
    if share_type and not at_least(req, "2.39"):
        raise Invalid("'share_type' key is not supported by this microversion. Use 2.39 "
                      "or greater microversion to be able to use 'share_type' quotas.")
    if user_id and share_type:
        raise Invalid("'user_id' and 'share_type' values are mutually exclusive")
    return user_id, share_type


def _project(tenant_id: str) -> str:
    return validation.text(tenant_id, "project_id", allow_empty=False) or ""


def _keys(req: falcon.Request, share_type: str | None) -> list[str]:
    return names(lambda since: at_least(req, since), share_type=bool(share_type))


class _Base:
    def __init__(self, deps: Deps, *, legacy: bool = False) -> None:
        self.deps = deps
        self.legacy = legacy
        self.service = QuotaSetServices(deps.conf, deps.db)


class QuotaSet(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        _require(req, self.legacy)
        tenant_id = _project(tenant_id)
        user_id, share_type = _scope(req)
        found: dict[str, Any] = dict(self.service.show(
            ctx(req), tenant_id, user_id=user_id, share_type=share_type,
            keys=_keys(req, share_type)))
        send(resp, {"quota_set": {"id": tenant_id, **found}})

    def on_put(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        _require(req, self.legacy)
        tenant_id = _project(tenant_id)
        user_id, share_type = _scope(req)
        body = body_of(req, self.deps, "quota_set")
        found = self.service.update(ctx(req), tenant_id, body, user_id=user_id,
                                    share_type=share_type, keys=_keys(req, share_type))
        send(resp, {"quota_set": found})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        _require(req, self.legacy)
        tenant_id = _project(tenant_id)
        user_id, share_type = _scope(req)
        self.service.delete(ctx(req), tenant_id, user_id=user_id, share_type=share_type)
        accepted(resp)


class QuotaSetDetail(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        _require(req, False, "2.25")
        tenant_id = _project(tenant_id)
        user_id, share_type = _scope(req)
        found: dict[str, Any] = dict(self.service.detail(
            ctx(req), tenant_id, user_id=user_id, share_type=share_type,
            keys=_keys(req, share_type)))
        send(resp, {"quota_set": {"id": tenant_id, **found}})


class QuotaSetDefaults(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        _require(req, self.legacy)
        tenant_id = _project(tenant_id)
        found: dict[str, Any] = dict(self.service.defaults(ctx(req), tenant_id,
                                                           _keys(req, None)))
        send(resp, {"quota_set": {"id": tenant_id, **found}})


class QuotaClassSet(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, class_name: str) -> None:
        _require(req, self.legacy)
        found: dict[str, Any] = dict(self.service.show_class(ctx(req), class_name,
                                                             _keys(req, None)))
        send(resp, {"quota_class_set": {"id": class_name, **found}})

    def on_put(self, req: falcon.Request, resp: falcon.Response, class_name: str) -> None:
        _require(req, self.legacy)
        body = body_of(req, self.deps, "quota_class_set")
        found = self.service.update_class(ctx(req), class_name, body, _keys(req, None))
        send(resp, {"quota_class_set": found})
