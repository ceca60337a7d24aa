"""What every table shares: the declarative base, timestamps and soft delete.

Rows are soft-deleted: ``deleted`` is empty while a row lives and holds the row's id
afterwards, so unique constraints that include it ignore deleted rows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted: Mapped[str] = mapped_column(String(36), default="", index=True)

    def soft_delete(self) -> None:
        self.deleted = str(getattr(self, "id", "1"))
        self.deleted_at = utcnow()
