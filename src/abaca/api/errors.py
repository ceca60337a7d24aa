"""Manila's error body: ``{"<faultName>": {"code": N, "message": "..."}}``."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import falcon
import oslo_messaging
from sqlalchemy import exc as sa_exc

from abaca.common.errors import AbacaError

LOG = logging.getLogger(__name__)

FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    501: "notImplemented",
    503: "serviceUnavailable",
}


def fault_body(code: int, message: str) -> str:
    name = FAULT_NAMES.get(code, "computeFault")
    return json.dumps({name: {"code": code, "message": message}})


def _answer(resp: falcon.Response, code: int, message: str) -> None:
    resp.status = code
    resp.content_type = falcon.MEDIA_JSON
    resp.text = fault_body(code, message)


def handle_abaca_error(req: falcon.Request, resp: falcon.Response, ex: AbacaError,
                       params: dict[str, Any]) -> None:
    code = ex.code if 400 <= ex.code < 600 else 500
    if code >= 500:
        LOG.error("%s %s failed: %s", req.method, req.path, ex.message)
    _answer(resp, code, ex.message)


def handle_http_error(req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError,
                      params: dict[str, Any]) -> None:
    code = int(ex.status_code)
    message = ex.description or ex.title or "Error"
    if code == 404:
        message = "The resource could not be found."
    elif code == 405:
        message = "The method is not allowed for the requested URL."
    headers = ex.headers or {}
    for name, value in (headers.items() if isinstance(headers, Mapping) else headers):
        resp.set_header(name, value)
    _answer(resp, code, message)


def handle_unavailable(req: falcon.Request, resp: falcon.Response, ex: Exception,
                       params: dict[str, Any]) -> None:
    """The message bus or the database cannot be reached (a restart, an outage): 503,
    so clients retry, rather than a hung request or a 500. What the request wrote
    before the failure is finished or timed out by the services (share/reconcile/)."""
    what = "message bus" if isinstance(ex, oslo_messaging.MessagingException) else "database"
    LOG.warning("%s %s: the %s is unavailable: %s", req.method, req.path, what,
                str(ex)[:300])
    resp.set_header("Retry-After", "5")
    _answer(resp, 503, f"The service is temporarily unavailable: its {what} cannot be "
                       f"reached. Retry the request later.")


def handle_unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception,
                      params: dict[str, Any]) -> None:
    if isinstance(ex, falcon.HTTPError):
        handle_http_error(req, resp, ex, params)
        return
    LOG.exception("%s %s raised", req.method, req.path)
    _answer(resp, 500, "The server has either erred or is incapable of performing the "
                       "requested operation.")


def install(app: falcon.App[Any, Any]) -> None:
    app.add_error_handler(Exception, handle_unexpected)
    for unavailable in (oslo_messaging.MessagingException, sa_exc.OperationalError,
                        sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.add_error_handler(unavailable, handle_unavailable)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(AbacaError, handle_abaca_error)
