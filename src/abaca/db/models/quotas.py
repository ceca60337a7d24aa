"""Quota limits, classes, usage and reservations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from abaca.db.models.base import Base, Timestamps, new_uuid


class Quota(Timestamps, Base):
    """A per-project limit overriding the default, or a per-user (``user_id``) or
    per-share-type (``share_type_id``) one; "" (never NULL) means "not scoped", so the
    unique constraint holds for every scope."""

    __tablename__ = "quotas"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "share_type_id", "resource", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str] = mapped_column(String(255), default="")
    share_type_id: Mapped[str] = mapped_column(String(36), default="")
    resource: Mapped[str] = mapped_column(String(255))
    hard_limit: Mapped[int] = mapped_column(Integer)


class QuotaClass(Timestamps, Base):
    __tablename__ = "quota_classes"
    __table_args__ = (UniqueConstraint("class_name", "resource", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_name: Mapped[str] = mapped_column(String(255), index=True)
    resource: Mapped[str] = mapped_column(String(255))
    hard_limit: Mapped[int] = mapped_column(Integer)


class QuotaUsage(Timestamps, Base):
    """Usage of one resource in one scope: the project (``user_id`` and
    ``share_type_id`` ""), one user of it, or one share type in it. Rows are locked
    while a request reserves, so concurrent requests cannot overshoot a limit."""

    __tablename__ = "quota_usages"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "share_type_id", "resource", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str] = mapped_column(String(255), default="")
    share_type_id: Mapped[str] = mapped_column(String(36), default="")
    resource: Mapped[str] = mapped_column(String(255))
    in_use: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    until_refresh: Mapped[int | None] = mapped_column(Integer)


class Reservation(Timestamps, Base):
    """A delta held against one usage row until it is committed, rolled back or expires.
    ``origin`` names the operation (``share:<id>:extend``) so the service that finishes
    it can find it without the ids travelling in messages."""

    __tablename__ = "reservations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    usage_id: Mapped[int] = mapped_column(ForeignKey("quota_usages.id"), index=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str] = mapped_column(String(255), default="")
    share_type_id: Mapped[str] = mapped_column(String(36), default="")
    resource: Mapped[str] = mapped_column(String(255))
    delta: Mapped[int] = mapped_column(Integer)
    expire: Mapped[datetime] = mapped_column(DateTime, index=True)
    origin: Mapped[str | None] = mapped_column(String(255), index=True)


# --- Share networks, subnets, security services, share servers (migration 0005) ---
