"""Authentication strategies: who the caller is, as a ``RequestContext``.

``keystone``: keystonemiddleware's ``auth_token`` wraps the WSGI application (the
version documents bypass it) and validates the token against Keystone, answering 401
or 503 itself; ``KeystoneContext`` then builds the context from the headers it sets
(X-User-Id, X-Project-Id, X-Roles). ``is_admin`` is the ``context_is_admin`` policy
rule applied to the token's roles.

``noauth`` (and ``noauthv2``, the 2.60 URLs): the token is ``user:project``; all are
admins. Without a token, noauth answers the legacy handshake (204 with X-Auth-Token and
X-Server-Management-Url), as Manila does. Version documents need no token.
"""

from __future__ import annotations

import logging
import sys
from typing import Any
from urllib.parse import quote

import falcon

from abaca import policy
from abaca.api.errors import fault_body
from abaca.api.middleware.request import UNVERSIONED
from abaca.common.context import RequestContext
from abaca.common.errors import Forbidden, Invalid, NotAuthorized

LOG = logging.getLogger(__name__)
OPEN_PATHS = (*UNVERSIONED, "/openapi.json")


def _anonymous(req: falcon.Request) -> None:
    req.context.ctx = RequestContext(user_id=None, project_id=None,
                                     request_id=req.context.request_id)


class NoAuth:
    def __init__(self, *, v2_60_urls: bool) -> None:
        self.v2_60_urls = v2_60_urls

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.path in OPEN_PATHS:
            _anonymous(req)
            return
        token = req.get_header("X-Auth-Token")
        if not token:
            user = req.get_header("X-Auth-User") or "admin"
            project = req.get_header("X-Auth-Project-Id") or "admin"
            # Header values must be latin-1: send the (decoded) URL percent-encoded.
            url = quote(req.url.rstrip("/"), safe=":/")
            project = quote(project, safe="")
            resp.set_header("X-Auth-Token", f"{quote(user, safe='')}:{project}")
            resp.set_header("X-Server-Management-Url",
                            url if self.v2_60_urls else f"{url}/{project}")
            resp.status = 204
            resp.complete = True
            return
        user, _, project = token.partition(":")
        req.context.ctx = RequestContext(user_id=user, project_id=project or user,
                                         roles=("admin",), is_admin=True,
                                         request_id=req.context.request_id)


class KeystoneContext:
    """The caller as auth_token (running before the app) identified it."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.path in OPEN_PATHS:
            _anonymous(req)
            return
        # auth_token removes any X-Identity-Status a client sends, then sets its own.
        if req.get_header("X-Identity-Status") != "Confirmed":
            raise NotAuthorized("The request you have made requires authentication.")
        user_id = req.get_header("X-User-Id")
        project_id = req.get_header("X-Project-Id")
        roles = tuple(r.strip() for r in (req.get_header("X-Roles") or "").split(",")
                      if r.strip())
        if not project_id:
            # Every resource belongs to a project: an unscoped, domain- or system-scoped
            # token names none to act in.
            raise Forbidden("Abaca needs a project-scoped token.")
        url_project = req.context.url_project_id
        if url_project is not None and url_project != project_id:
            # As Manila: /v2/{project_id}/... must name the token's project.
            raise Invalid("Malformed request url: the project in the URL is not the "
                          "project of the token.")
        req.context.ctx = RequestContext(
            user_id=user_id, project_id=project_id, roles=roles,
            is_admin=policy.is_admin(roles, project_id, user_id),
            request_id=req.context.request_id)


def context_middleware(conf: Any) -> object:
    """The falcon middleware that turns a request into a RequestContext."""
    if conf.auth_strategy == "keystone":
        return KeystoneContext()
    return NoAuth(v2_60_urls=conf.auth_strategy == "noauthv2")


def with_auth_token(app: Any, conf: Any) -> Any:
    """``app`` behind keystonemiddleware's auth_token when auth_strategy is keystone.

    The version documents (which openstacksdk and manila-csi read without a token) go
    straight to the app; every other request passes auth_token, which answers 401
    itself when the token is missing or invalid and 503 when Keystone cannot be
    reached, with Manila's error bodies.
    """
    if conf.auth_strategy != "keystone":
        return app
    return _FaultBarrier(_OpenPaths(app, _auth_token_class()(
        app, {"oslo_config_config": conf})))


class _OpenPaths:
    """Requests for OPEN_PATHS skip authentication; the rest go to ``authenticated``."""

    def __init__(self, app: Any, authenticated: Any) -> None:
        self.app = app
        self.authenticated = authenticated

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO") or "/"
        if path in OPEN_PATHS or path.rstrip("/") in OPEN_PATHS:
            return self.app(environ, start_response)
        return self.authenticated(environ, start_response)


def _auth_token_class() -> Any:
    """auth_token's AuthProtocol, answering its refusals with Manila's bodies.
    (Imported when used: keystonemiddleware is slow to import.)"""
    import webob  # type: ignore[import-untyped]
    import webob.exc  # type: ignore[import-untyped]
    from keystonemiddleware import auth_token

    def answer(code: int, message: str, headers: list[tuple[str, str]]) -> Any:
        return webob.Response(body=fault_body(code, message).encode(), status=code,
                              content_type="application/json", charset=None,
                              headerlist=[("Content-Type", "application/json"), *headers])

    class AuthToken(auth_token.AuthProtocol):  # type: ignore[misc]
        def process_request(self, request: Any) -> Any:
            try:
                return super().process_request(request)
            except webob.exc.HTTPUnauthorized:
                return answer(401, "The request you have made requires authentication.",
                              self._reject_auth_headers)
            except webob.exc.HTTPServiceUnavailable:
                return answer(503, "The identity service (Keystone) is temporarily "
                                   "unavailable; try again later.", [])

    return AuthToken


class _FaultBarrier:
    """auth_token raises on some failures (no identity endpoint in the service
    catalog, a broken plugin): answer those with Manila's 500 body, not a bare 500."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        try:
            return self.app(environ, start_response)
        except Exception:
            LOG.exception("authentication failed unexpectedly for %s %s",
                          environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            body = fault_body(500, "The server could not authenticate the request: "
                                   "the identity service is not reachable or not "
                                   "configured.").encode()
            start_response("500 Internal Server Error",
                           [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))], sys.exc_info())
            return [body]
