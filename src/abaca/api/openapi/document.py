"""Build the OpenAPI 3.0 document from the application's routes.

Every route the application serves is in the document, with the methods its resource
answers: a route added to ``app.py`` appears without further work. Request bodies come
from ``schemas.BODIES`` where one is declared; the microversion header and the token are
parameters of every operation. Served unauthenticated at ``/openapi.json``.
"""

from __future__ import annotations

import re
from typing import Any

import falcon
import falcon.inspect

from abaca.api import microversion
from abaca.api.openapi import schemas

_PARAM = re.compile(r"{([^}]+)}")
_OPEN_PATHS = frozenset({"/", "/v2", "/openapi.json"})
_SUCCESS = {"GET": "200", "POST": "200", "PUT": "200", "DELETE": "202"}


def _summary(resource: Any, method: str) -> str:
    responder = getattr(resource, f"on_{method.lower()}", None)
    doc = (getattr(responder, "__doc__", None) or type(resource).__doc__ or "").strip()
    return doc.splitlines()[0] if doc else f"{method} {type(resource).__name__}"


def _operation(path: str, method: str, resource: Any) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM.findall(path)
    ]
    params.append({
        "name": microversion.HEADER, "in": "header", "required": False,
        "description": f"Microversion, {microversion.MIN_VERSION} to "
                       f"{microversion.MAX_VERSION}; 2.0 when absent.",
        "schema": {"type": "string", "pattern": r"^\d+\.\d+$"},
    })
    params.extend(schemas.QUERIES.get((path, method), []))
    operation: dict[str, Any] = {
        "operationId": f"{method.lower()}{re.sub(r'[^A-Za-z0-9]+', '_', path)}",
        "summary": _summary(resource, method),
        "parameters": params,
        "responses": {
            _SUCCESS.get(method, "200"): {"description": "Success."},
            "default": {"description": "A Manila error body.",
                        "content": {"application/json": {"schema": schemas.FAULT}}},
        },
    }
    body = schemas.BODIES.get((path, method))
    if body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": body}}}
    if path in _OPEN_PATHS:
        operation["security"] = []
    return operation


def build(app: falcon.App[Any, Any]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in falcon.inspect.inspect_routes(app):
        resource = _resource(app, route.path)
        for info in route.methods:
            if info.internal or resource is None:
                continue
            entry = paths.setdefault(route.path, {})
            entry[info.method.lower()] = _operation(route.path, info.method, resource)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Abaca shared file systems API (Manila v2 compatible)",
                 "version": str(microversion.MAX_VERSION)},
        "paths": dict(sorted(paths.items())),
        "components": {"securitySchemes": {
            "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}}},
        "security": [{"token": []}],
    }


def _resource(app: falcon.App[Any, Any], path: str) -> Any:
    """The resource object serving a route template (placeholders filled in)."""
    concrete = _PARAM.sub("x", path)
    found = app._router.find(concrete)
    return found[0] if found else None


class OpenAPIDocument:
    """GET /openapi.json: this document."""

    def __init__(self, app: falcon.App[Any, Any]) -> None:
        self.app = app
        self._document: dict[str, Any] | None = None

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """The OpenAPI document of this API."""
        if self._document is None:
            self._document = build(self.app)
        resp.media = self._document
