"""User messages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from abaca.common.messages import Action, Detail
from abaca.db.models import Message, utcnow

MESSAGE_TTL = timedelta(days=30)


def create(session: Session, *, project_id: str, resource_type: str, resource_id: str | None,
           action: Action, detail: Detail, request_id: str | None = None,
           level: str = "ERROR") -> Message:
    msg = Message(project_id=project_id, resource_type=resource_type, resource_id=resource_id,
                  action_id=action.id, detail_id=detail.id, message_level=level,
                  request_id=request_id, expires_at=utcnow() + MESSAGE_TTL)
    session.add(msg)
    session.flush()
    return msg


def for_resource(session: Session, resource_id: str) -> list[Message]:
    return list(session.scalars(select(Message).where(
        Message.resource_id == resource_id, Message.deleted == "")
        .order_by(Message.created_at)))
