"""Share networks, their subnets, security services, share servers and network allocations."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from abaca.db.models.base import Base, Timestamps, new_uuid
from abaca.db.models.core import AvailabilityZone


class ShareNetwork(Timestamps, Base):
    """A tenant's network for shares with share servers (DHSS=True); its subnets say
    where, per availability zone. ``status`` (2.63): active, error, network_change."""

    __tablename__ = "share_networks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255), index=True)
    description: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="active")

    subnets: Mapped[list[ShareNetworkSubnet]] = relationship(
        lazy="selectin", viewonly=True, order_by="ShareNetworkSubnet.created_at",
        primaryjoin="and_(ShareNetwork.id == ShareNetworkSubnet.share_network_id, "
                    "ShareNetworkSubnet.deleted == '')")
    security_services: Mapped[list[SecurityService]] = relationship(
        lazy="selectin", viewonly=True,
        secondary="share_network_security_services",
        primaryjoin="and_(ShareNetwork.id == "
                    "ShareNetworkSecurityServiceAssociation.share_network_id, "
                    "ShareNetworkSecurityServiceAssociation.deleted == '')",
        secondaryjoin="and_(SecurityService.id == "
                      "ShareNetworkSecurityServiceAssociation.security_service_id, "
                      "SecurityService.deleted == '')")

    def subnet_for(self, availability_zone_id: str | None) -> ShareNetworkSubnet | None:
        """The subnet of this availability zone, else the default subnet (no zone)."""
        default = None
        for subnet in self.subnets:
            if availability_zone_id and subnet.availability_zone_id == availability_zone_id:
                return subnet
            if subnet.availability_zone_id is None:
                default = subnet
        return default


class ShareNetworkSubnet(Timestamps, Base):
    """Where a share network reaches in one availability zone (none: the default subnet).

    ``neutron_net_id``/``neutron_subnet_id`` name the network; the standalone network
    helper reads ``cidr``/``gateway``/``mtu``/``segmentation_id`` from here or config."""

    __tablename__ = "share_network_subnets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    share_network_id: Mapped[str] = mapped_column(ForeignKey("share_networks.id"),
                                                  index=True)
    availability_zone_id: Mapped[str | None] = mapped_column(
        ForeignKey("availability_zones.id"))
    neutron_net_id: Mapped[str | None] = mapped_column(String(36))
    neutron_subnet_id: Mapped[str | None] = mapped_column(String(36))
    network_type: Mapped[str | None] = mapped_column(String(32))
    segmentation_id: Mapped[int | None] = mapped_column(Integer)
    cidr: Mapped[str | None] = mapped_column(String(64))
    ip_version: Mapped[int | None] = mapped_column(Integer)
    gateway: Mapped[str | None] = mapped_column(String(64))
    mtu: Mapped[int | None] = mapped_column(Integer)
    # comma-separated CIDRs, addresses, first-last ranges inside an admin's cidr (0010)
    allowed_ip_ranges: Mapped[str | None] = mapped_column(String(1024))

    share_network: Mapped[ShareNetwork] = relationship(lazy="joined")
    availability_zone: Mapped[AvailabilityZone | None] = relationship(lazy="joined")


class SecurityService(Timestamps, Base):
    """Directory / authentication service (ldap, kerberos, active_directory) that the
    share servers of the networks it is attached to should join."""

    __tablename__ = "security_services"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(255), index=True)
    description: Mapped[str | None] = mapped_column(String(255))
    dns_ip: Mapped[str | None] = mapped_column(String(64))
    ou: Mapped[str | None] = mapped_column(String(255))
    server: Mapped[str | None] = mapped_column(String(255))
    domain: Mapped[str | None] = mapped_column(String(255))
    user: Mapped[str | None] = mapped_column(String(255))
    password: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="new")


class ShareNetworkSecurityServiceAssociation(Timestamps, Base):
    __tablename__ = "share_network_security_services"
    __table_args__ = (
        UniqueConstraint("share_network_id", "security_service_id", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_network_id: Mapped[str] = mapped_column(ForeignKey("share_networks.id"),
                                                  index=True)
    security_service_id: Mapped[str] = mapped_column(ForeignKey("security_services.id"),
                                                     index=True)


class ShareServer(Timestamps, Base):
    """A backend's server for the shares of one share network subnet: one per
    (``share_network_subnet_id``, ``host``) while it is usable (see the index)."""

    __tablename__ = "share_servers"
    __table_args__ = (Index("ix_share_servers_subnet_host", "share_network_subnet_id",
                            "host", "deleted"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    share_network_subnet_id: Mapped[str | None] = mapped_column(
        ForeignKey("share_network_subnets.id"))
    host: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    identifier: Mapped[str | None] = mapped_column(String(255))
    is_auto_deletable: Mapped[bool] = mapped_column(Boolean, default=True)
    task_state: Mapped[str | None] = mapped_column(String(64))
    source_share_server_id: Mapped[str | None] = mapped_column(String(36))
    security_service_update_support: Mapped[bool] = mapped_column(Boolean, default=False)

    subnet: Mapped[ShareNetworkSubnet | None] = relationship(lazy="joined")
    backend_details_items: Mapped[list[ShareServerBackendDetail]] = relationship(
        lazy="selectin", viewonly=True,
        primaryjoin="and_(ShareServer.id == ShareServerBackendDetail.share_server_id, "
                    "ShareServerBackendDetail.deleted == '')")
    allocations: Mapped[list[NetworkAllocation]] = relationship(
        lazy="selectin", viewonly=True,
        primaryjoin="and_(ShareServer.id == NetworkAllocation.share_server_id, "
                    "NetworkAllocation.deleted == '')")

    def backend_details(self) -> dict[str, str]:
        return {d.key: d.value for d in self.backend_details_items}


class ShareServerBackendDetail(Timestamps, Base):
    __tablename__ = "share_server_backend_details"
    __table_args__ = (UniqueConstraint("share_server_id", "key", "deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_server_id: Mapped[str] = mapped_column(ForeignKey("share_servers.id"),
                                                 index=True)
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(1023))


class NetworkAllocation(Timestamps, Base):
    """An address a network helper gave a share server (``label`` user or admin)."""

    __tablename__ = "network_allocations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    share_server_id: Mapped[str] = mapped_column(ForeignKey("share_servers.id"),
                                                 index=True)
    share_network_subnet_id: Mapped[str | None] = mapped_column(String(36))
    ip_address: Mapped[str] = mapped_column(String(64))
    ip_version: Mapped[int] = mapped_column(Integer)
    network_type: Mapped[str | None] = mapped_column(String(32))
    segmentation_id: Mapped[int | None] = mapped_column(Integer)
    cidr: Mapped[str | None] = mapped_column(String(64))
    gateway: Mapped[str | None] = mapped_column(String(64))
    mtu: Mapped[int | None] = mapped_column(Integer)
    mac_address: Mapped[str | None] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(32), default="user")


# --- The reconciler's record of what it did (migration 0009) ---
