"""Helpers every API resource uses: the caller, the version, bodies, links, paging."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import falcon

from abaca.api.microversion import APIVersion, v
from abaca.common.context import RequestContext
from abaca.common.errors import Invalid, OverLimit
from abaca.db.session import Database
from abaca.scheduler.rpcapi import SchedulerAPI
from abaca.services.access import AccessServices
from abaca.services.security_services import SecurityServiceServices
from abaca.services.share_actions import ShareActions
from abaca.services.share_network_subnets import SubnetServices
from abaca.services.share_networks import ShareNetworkServices
from abaca.services.share_servers import ShareServerServices
from abaca.services.shares import ShareServices
from abaca.services.snapshots import SnapshotServices
from abaca.share.rpcapi import ShareAPI


@dataclass
class Deps:
    """What resources need, built once per API process."""

    conf: Any
    db: Database
    scheduler_rpc: SchedulerAPI
    share_rpc: ShareAPI
    shares: ShareServices
    access: AccessServices
    snapshots: SnapshotServices
    actions: ShareActions
    # share networks, subnets, security services, share servers
    share_networks: ShareNetworkServices
    subnets: SubnetServices
    security_services: SecurityServiceServices
    share_servers: ShareServerServices


def ctx(req: falcon.Request) -> RequestContext:
    context: RequestContext = req.context.ctx
    return context


def version(req: falcon.Request) -> APIVersion:
    ver: APIVersion = req.context.api_version
    return ver


def at_least(req: falcon.Request, text: str) -> bool:
    return version(req) >= v(text)


def read_json(req: falcon.Request, max_size: int) -> Any:
    length = req.content_length
    if length is not None and length > max_size:
        raise OverLimit(f"Request is too large: {length} bytes, at most {max_size}.")
    raw = req.bounded_stream.read(max_size + 1)
    if len(raw) > max_size:
        raise OverLimit(f"Request is too large: more than {max_size} bytes.")
    if not raw.strip():
        raise Invalid("The request body is empty; a JSON object is required.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("Malformed request body: it is not valid JSON.") from exc


def body_of(req: falcon.Request, deps: Deps, key: str) -> dict[str, Any]:
    """The object under ``key`` in a JSON body like ``{"share": {...}}``."""
    data = read_json(req, deps.conf.api.max_request_body_size)
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise Invalid(f"Malformed request body: expected an object with key '{key}'.")
    inner: dict[str, Any] = data[key]
    return inner


def action_of(req: falcon.Request, deps: Deps) -> tuple[str, Any]:
    """An action body ``{"<action name>": <arguments>}``: its name and arguments."""
    data = read_json(req, deps.conf.api.max_request_body_size)
    if not isinstance(data, dict) or len(data) != 1:
        raise Invalid("An action body must be an object with exactly one key, the "
                      "action's name.")
    ((name, value),) = data.items()
    return str(name), value


def send(resp: falcon.Response, body: Any, status: int = 200) -> None:
    resp.status = status
    resp.media = body


def accepted(resp: falcon.Response) -> None:
    resp.status = 202
    resp.text = ""
    resp.content_type = falcon.MEDIA_JSON


def base_url(req: falcon.Request) -> str:
    return req.prefix.rstrip("/")


def links(req: falcon.Request, collection: str, ident: str) -> list[dict[str, str]]:
    project = ctx(req).project_id or ""
    root = base_url(req)
    return [
        {"href": f"{root}/v2/{project}/{collection}/{ident}", "rel": "self"},
        {"href": f"{root}/{project}/{collection}/{ident}", "rel": "bookmark"},
    ]


def query_params(req: falcon.Request) -> dict[str, str]:
    """Query parameters, one value each (the last one wins)."""
    result: dict[str, str] = {}
    for key, value in req.params.items():
        result[key] = value[-1] if isinstance(value, list) else value
    return result


def isotime(value: Any) -> str | None:
    return value.isoformat(timespec="microseconds") if value is not None else None
