"""Shares, their instances, types, metadata, export locations, access rules and snapshots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from abaca.db.models.base import Base, Timestamps, new_uuid


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
    share_group_id: Mapped[str | None] = mapped_column(String(36), index=True)
    source_share_group_snapshot_member_id: Mapped[str | None] = mapped_column(String(36))
    task_state: Mapped[str | None] = mapped_column(String(64))
    # The share type's replication_type (writable, readable, dr) when it was created.
    replication_type: Mapped[str | None] = mapped_column(String(255))

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
        """The active instance, whose status and host are the share's (with replicas:
        the active replica)."""
        for inst in self.instances:
            if inst.replica_state in (None, "active"):
                return inst
        return self.instances[0]

    @property
    def has_replicas(self) -> bool:
        return len(self.instances) > 1

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
    # "0%" while a clone is made, "100%" once available (shown from 2.54).
    progress: Mapped[str | None] = mapped_column(String(32))
    # Replication (2.11): "active", "in_sync", "out_of_sync" or "error" for the
    # instances of a replicated share; None for a share without a replication type.
    replica_state: Mapped[str | None] = mapped_column(String(255))

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
    export_locations: Mapped[list[ShareSnapshotExportLocation]] = relationship(
        lazy="selectin", viewonly=True,
        primaryjoin="and_(ShareSnapshot.id == ShareSnapshotExportLocation.snapshot_id, "
                    "ShareSnapshotExportLocation.deleted == '')")


class ShareSnapshotExportLocation(Timestamps, Base):
    """Where a mountable snapshot (2.32) is exported, read-only."""

    __tablename__ = "share_snapshot_export_locations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    snapshot_id: Mapped[str] = mapped_column(ForeignKey("share_snapshots.id"), index=True)
    path: Mapped[str] = mapped_column(String(2000))
    is_admin_only: Mapped[bool] = mapped_column(Boolean, default=False)


class ShareSnapshotAccessRule(Timestamps, Base):
    """Who may mount a snapshot (always read-only); ``state`` as a share's rules."""

    __tablename__ = "share_snapshot_access_rules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    snapshot_id: Mapped[str] = mapped_column(ForeignKey("share_snapshots.id"), index=True)
    access_type: Mapped[str] = mapped_column(String(32))
    access_to: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(32), index=True)



# Share groups --------------------------------------------------------------------------
