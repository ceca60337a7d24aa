"""Share groups, share group types and share group snapshots."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from abaca.db.models.base import Base, Timestamps, new_uuid


class ShareGroupType(Timestamps, Base):
    """What a share group may hold (its share types) and asks of its backend (specs)."""

    __tablename__ = "share_group_types"
    __table_args__ = (UniqueConstraint("name", "deleted"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    group_specs: Mapped[list[ShareGroupTypeSpec]] = relationship(
        lazy="selectin", viewonly=True,
        primaryjoin="and_(ShareGroupType.id == ShareGroupTypeSpec.share_group_type_id, "
                    "ShareGroupTypeSpec.deleted == '')")
    share_types: Mapped[list[ShareGroupTypeShareType]] = relationship(
        lazy="selectin", viewonly=True,
        primaryjoin="and_(ShareGroupType.id == ShareGroupTypeShareType.share_group_type_id, "
                    "ShareGroupTypeShareType.deleted == '')")

    def specs(self) -> dict[str, str]:
        return {s.key: s.value for s in self.group_specs}

    def share_type_ids(self) -> list[str]:
        return [t.share_type_id for t in self.share_types]


class ShareGroupTypeSpec(Timestamps, Base):
    __tablename__ = "share_group_type_specs"
    __table_args__ = (UniqueConstraint("share_group_type_id", "key", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_group_type_id: Mapped[str] = mapped_column(ForeignKey("share_group_types.id"),
                                                     index=True)
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(1023))


class ShareGroupTypeProject(Timestamps, Base):
    __tablename__ = "share_group_type_projects"
    __table_args__ = (UniqueConstraint("share_group_type_id", "project_id", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_group_type_id: Mapped[str] = mapped_column(ForeignKey("share_group_types.id"),
                                                     index=True)
    project_id: Mapped[str] = mapped_column(String(255))


class ShareGroupTypeShareType(Timestamps, Base):
    __tablename__ = "share_group_type_share_types"
    __table_args__ = (UniqueConstraint("share_group_type_id", "share_type_id", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_group_type_id: Mapped[str] = mapped_column(ForeignKey("share_group_types.id"),
                                                     index=True)
    share_type_id: Mapped[str] = mapped_column(ForeignKey("share_types.id"), index=True)


class ShareGroup(Timestamps, Base):
    """Shares of one project kept on one backend, snapshotted together."""

    __tablename__ = "share_groups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    display_description: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), index=True)
    host: Mapped[str | None] = mapped_column(String(255))
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    share_network_id: Mapped[str | None] = mapped_column(String(36))
    share_server_id: Mapped[str | None] = mapped_column(String(36))
    share_group_type_id: Mapped[str] = mapped_column(ForeignKey("share_group_types.id"))
    source_share_group_snapshot_id: Mapped[str | None] = mapped_column(String(36))
    consistent_snapshot_support: Mapped[str | None] = mapped_column(String(36))
    share_types: Mapped[list[ShareGroupShareType]] = relationship(
        lazy="selectin", viewonly=True,
        primaryjoin="and_(ShareGroup.id == ShareGroupShareType.share_group_id, "
                    "ShareGroupShareType.deleted == '')")

    def share_type_ids(self) -> list[str]:
        return [t.share_type_id for t in self.share_types]


class ShareGroupShareType(Timestamps, Base):
    __tablename__ = "share_group_share_types"
    __table_args__ = (UniqueConstraint("share_group_id", "share_type_id", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_group_id: Mapped[str] = mapped_column(ForeignKey("share_groups.id"), index=True)
    share_type_id: Mapped[str] = mapped_column(ForeignKey("share_types.id"))


class ShareGroupSnapshot(Timestamps, Base):
    """A snapshot of every share of a group, taken together."""

    __tablename__ = "share_group_snapshots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    share_group_id: Mapped[str] = mapped_column(ForeignKey("share_groups.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    display_description: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), index=True)
    members: Mapped[list[ShareGroupSnapshotMember]] = relationship(
        lazy="selectin", viewonly=True,
        primaryjoin="and_(ShareGroupSnapshot.id == "
                    "ShareGroupSnapshotMember.share_group_snapshot_id, "
                    "ShareGroupSnapshotMember.deleted == '')")


class ShareGroupSnapshotMember(Timestamps, Base):
    """One share's part of a group snapshot."""

    __tablename__ = "share_group_snapshot_members"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    share_group_snapshot_id: Mapped[str] = mapped_column(
        ForeignKey("share_group_snapshots.id"), index=True)
    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id"), index=True)
    share_instance_id: Mapped[str] = mapped_column(ForeignKey("share_instances.id"))
    user_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    share_proto: Mapped[str] = mapped_column(String(16))
    share_type_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(32))
    provider_location: Mapped[str | None] = mapped_column(String(255))
