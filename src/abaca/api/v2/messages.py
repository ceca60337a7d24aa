"""/v2/messages (2.37): why asynchronous requests failed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import falcon
from sqlalchemy import select

from abaca import policy
from abaca.api import microversion
from abaca.api.common import Deps, at_least, ctx, isotime, links, query_params, send, version
from abaca.common.errors import Invalid, NotFound
from abaca.common.messages import Action, Detail
from abaca.db.models import Message

_ACTIONS = {a.id: a for a in Action}
_DETAILS = {d.id: d for d in Detail}
_FILTERS = ("resource_id", "resource_type", "action_id", "detail_id", "message_level",
            "request_id")


def view(req: falcon.Request, msg: Message) -> dict[str, Any]:
    action = _ACTIONS.get(msg.action_id)
    detail = _DETAILS.get(msg.detail_id)
    text = f"{action.text if action else 'unknown action'}: " \
           f"{detail.text if detail else 'unknown error'}"
    return {
        "id": msg.id, "action_id": msg.action_id, "detail_id": msg.detail_id,
        "message_level": msg.message_level, "project_id": msg.project_id,
        "request_id": msg.request_id, "resource_id": msg.resource_id,
        "resource_type": msg.resource_type, "user_message": text,
        "created_at": isotime(msg.created_at), "expires_at": isotime(msg.expires_at),
        "links": links(req, "messages", msg.id),
    }


def _time(value: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError as exc:
        raise Invalid(f"{name} must be an ISO 8601 time.") from exc


class Messages:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        microversion.require(version(req), "2.37")
        policy.authorize(ctx(req), "message:get_all")
        params = query_params(req)
        query = select(Message).where(Message.deleted == "")
        if not ctx(req).is_admin or "project_id" not in params:
            query = query.where(Message.project_id == ctx(req).project_id)
        else:
            query = query.where(Message.project_id == params["project_id"])
        for key in _FILTERS:
            if key in params:
                query = query.where(getattr(Message, key) == params[key])
        if at_least(req, "2.52"):
            if "created_since" in params:
                query = query.where(Message.created_at >= _time(params["created_since"],
                                                                "created_since"))
            if "created_before" in params:
                query = query.where(Message.created_at <= _time(params["created_before"],
                                                                "created_before"))
        sort_key = params.get("sort_key", "created_at")
        if sort_key not in ("created_at", "id", "resource_type", "message_level",
                            "action_id", "detail_id", "resource_id", "request_id"):
            raise Invalid(f"Wrong sorting key provided - '{sort_key}'.")
        column = getattr(Message, sort_key)
        desc = params.get("sort_dir", "desc").lower() == "desc"
        query = query.order_by(column.desc() if desc else column.asc())
        try:
            limit = int(params.get("limit", self.deps.conf.api.max_limit))
            offset = int(params.get("offset", 0))
        except ValueError as exc:
            raise Invalid("limit and offset must be integers.") from exc
        query = query.limit(max(0, min(limit, self.deps.conf.api.max_limit))).offset(
            max(offset, 0))
        with self.deps.db.read() as session:
            found = list(session.scalars(query))
        send(resp, {"messages": [view(req, m) for m in found]})


class MessageItem:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _find(self, req: falcon.Request, session: Any, message_id: str,
              rule: str) -> Message:
        microversion.require(version(req), "2.37")
        msg = session.scalar(select(Message).where(Message.id == message_id,
                                                    Message.deleted == ""))
        if msg is None or not (ctx(req).is_admin or msg.project_id == ctx(req).project_id):
            raise NotFound(f"Message {message_id} could not be found.")
        policy.authorize(ctx(req), rule, {"project_id": msg.project_id})
        return msg  # type: ignore[no-any-return]

    def on_get(self, req: falcon.Request, resp: falcon.Response, message_id: str) -> None:
        with self.deps.db.read() as session:
            msg = self._find(req, session, message_id, "message:get")
        send(resp, {"message": view(req, msg)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, message_id: str) -> None:
        with self.deps.db.write() as session:
            self._find(req, session, message_id, "message:delete").soft_delete()
        resp.status = 204
