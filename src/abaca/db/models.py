"""Database tables as typed SQLAlchemy 2 models.

Rows are soft-deleted: ``deleted`` is empty while a row lives and holds the row's id
afterwards, so unique constraints that include it ignore deleted rows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


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


class AvailabilityZone(Timestamps, Base):
    __tablename__ = "availability_zones"
    __table_args__ = (UniqueConstraint("name", "deleted"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))


class Service(Timestamps, Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("host", "binary", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    host: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    availability_zone_id: Mapped[str | None] = mapped_column(
        ForeignKey("availability_zones.id"))
    availability_zone: Mapped[AvailabilityZone | None] = relationship(lazy="joined")


class ShareType(Timestamps, Base):
    __tablename__ = "share_types"
    __table_args__ = (UniqueConstraint("name", "deleted"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    extra_specs: Mapped[list[ShareTypeExtraSpec]] = relationship(
        lazy="selectin", primaryjoin="and_(ShareType.id == ShareTypeExtraSpec.share_type_id, "
                                     "ShareTypeExtraSpec.deleted == '')",
        viewonly=True)

    def specs(self) -> dict[str, str]:
        return {s.key: s.value for s in self.extra_specs}


class ShareTypeExtraSpec(Timestamps, Base):
    __tablename__ = "share_type_extra_specs"
    __table_args__ = (UniqueConstraint("share_type_id", "key", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_type_id: Mapped[str] = mapped_column(ForeignKey("share_types.id"), index=True)
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(1023))


class ShareTypeProject(Timestamps, Base):
    __tablename__ = "share_type_projects"
    __table_args__ = (UniqueConstraint("share_type_id", "project_id", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_type_id: Mapped[str] = mapped_column(ForeignKey("share_types.id"), index=True)
    project_id: Mapped[str] = mapped_column(String(255))


class Share(Timestamps, Base):
    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    display_name: Mapped[str | None] = mapped_column(String(255), index=True)
    display_description: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    share_proto: Mapped[str] = mapped_column(String(16))
    share_type_id: Mapped[str | None] = mapped_column(ForeignKey("share_types.id"))
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    snapshot_id: Mapped[str | None] = mapped_column(String(36))
    share_network_id: Mapped[str | None] = mapped_column(String(36))
    task_state: Mapped[str | None] = mapped_column(String(64))

    share_type: Mapped[ShareType | None] = relationship(lazy="joined")
    instances: Mapped[list[ShareInstance]] = relationship(
        lazy="selectin", viewonly=True,
        primaryjoin="and_(Share.id == ShareInstance.share_id, ShareInstance.deleted == '')")
    metadata_items: Mapped[list[ShareMetadata]] = relationship(
        lazy="selectin",
        primaryjoin="and_(Share.id == ShareMetadata.share_id, ShareMetadata.deleted == '')",
        viewonly=True)

    @property
    def instance(self) -> ShareInstance:
        """The active instance, whose status and host are the share's."""
        return self.instances[0]

    def metadata_dict(self) -> dict[str, str]:
        return {m.key: m.value for m in self.metadata_items}


class ShareInstance(Timestamps, Base):
    __tablename__ = "share_instances"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id"), index=True)
    status: Mapped[str] = mapped_column(String(64), index=True)
    host: Mapped[str | None] = mapped_column(String(255), index=True)
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    access_rules_status: Mapped[str] = mapped_column(String(32), default="active")
    share_server_id: Mapped[str | None] = mapped_column(String(36))
    launched_at: Mapped[datetime | None] = mapped_column(DateTime)
    terminated_at: Mapped[datetime | None] = mapped_column(DateTime)

    share: Mapped[Share] = relationship(lazy="joined")
    export_locations: Mapped[list[ExportLocation]] = relationship(
        lazy="selectin",
        primaryjoin="and_(ShareInstance.id == ExportLocation.share_instance_id, "
                    "ExportLocation.deleted == '')",
        viewonly=True)


class ExportLocation(Timestamps, Base):
    __tablename__ = "export_locations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    share_instance_id: Mapped[str] = mapped_column(ForeignKey("share_instances.id"),
                                                   index=True)
    path: Mapped[str] = mapped_column(String(2000))
    is_admin_only: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)


class ShareMetadata(Timestamps, Base):
    __tablename__ = "share_metadata"
    __table_args__ = (UniqueConstraint("share_id", "key", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id"), index=True)
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(1023))


class Message(Timestamps, Base):
    """A user message: why an asynchronous request failed, in words a tenant can act on."""

    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    request_id: Mapped[str | None] = mapped_column(String(255))
    resource_type: Mapped[str] = mapped_column(String(255))
    resource_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action_id: Mapped[str] = mapped_column(String(10))
    detail_id: Mapped[str] = mapped_column(String(10))
    message_level: Mapped[str] = mapped_column(String(255))
    extra: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)


class Quota(Timestamps, Base):
    """A per-project (optionally per-user or per-share-type) limit overriding the default."""

    __tablename__ = "quotas"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "share_type_id", "resource", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    share_type_id: Mapped[str | None] = mapped_column(String(36))
    resource: Mapped[str] = mapped_column(String(255))
    hard_limit: Mapped[int] = mapped_column(Integer)


class QuotaClass(Timestamps, Base):
    __tablename__ = "quota_classes"
    __table_args__ = (UniqueConstraint("class_name", "resource", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_name: Mapped[str] = mapped_column(String(255), index=True)
    resource: Mapped[str] = mapped_column(String(255))
    hard_limit: Mapped[int] = mapped_column(Integer)


class ShareAccessRule(Timestamps, Base):
    """An access rule of a share: who (``access_to``) may reach it, how (``access_level``).

    ``state`` walks queued_to_apply -> applying -> active | error, and
    queued_to_deny -> denying -> (deleted) | error.
    """

    __tablename__ = "share_access_rules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id"), index=True)
    access_type: Mapped[str] = mapped_column(String(32))
    access_to: Mapped[str] = mapped_column(String(255))
    access_level: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(32), index=True)
    access_key: Mapped[str | None] = mapped_column(String(255))
    metadata_items: Mapped[list[ShareAccessRuleMetadata]] = relationship(
        lazy="selectin", viewonly=True,
        primaryjoin="and_(ShareAccessRule.id == ShareAccessRuleMetadata.access_id, "
                    "ShareAccessRuleMetadata.deleted == '')")

    def metadata_dict(self) -> dict[str, str]:
        return {m.key: m.value for m in self.metadata_items}


class ShareAccessRuleMetadata(Timestamps, Base):
    __tablename__ = "share_access_rule_metadata"
    __table_args__ = (UniqueConstraint("access_id", "key", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    access_id: Mapped[str] = mapped_column(ForeignKey("share_access_rules.id"), index=True)
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(1023))


class ShareSnapshot(Timestamps, Base):
    """A point-in-time, read-only copy of a share."""

    __tablename__ = "share_snapshots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    display_description: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    share_size: Mapped[int] = mapped_column(Integer)
    share_proto: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32), index=True)
    progress: Mapped[str | None] = mapped_column(String(8))
    provider_location: Mapped[str | None] = mapped_column(String(255))


class QuotaUsage(Timestamps, Base):
    """One row per (project, resource): locked while a request checks and consumes the
    project's quota, so concurrent requests on PostgreSQL or MariaDB cannot overshoot."""

    __tablename__ = "quota_usages"
    __table_args__ = (UniqueConstraint("project_id", "resource", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    resource: Mapped[str] = mapped_column(String(255))
    in_use: Mapped[int] = mapped_column(Integer, default=0)
