"""Share networks, their subnets and share servers: the queries the API and the share
service share."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abaca.common.errors import NotFound
from abaca.db.models import (
    AvailabilityZone,
    Share,
    ShareGroup,
    ShareInstance,
    ShareNetwork,
    ShareNetworkSubnet,
    ShareServer,
)


def get_network(session: Session, network_id: str, *, lock: bool = False,
                shared: bool = False) -> ShareNetwork:
    """``lock``: FOR UPDATE (or FOR SHARE when ``shared``) until the transaction ends."""
    query = select(ShareNetwork).where(ShareNetwork.id == network_id,
                                       ShareNetwork.deleted == "")
    found = session.scalar(query.with_for_update(read=shared) if lock else query)
    if found is None:
        raise NotFound(f"Share network {network_id} could not be found.")
    return found


def get_subnet(session: Session, network_id: str, subnet_id: str) -> ShareNetworkSubnet:
    found = session.scalar(select(ShareNetworkSubnet).where(
        ShareNetworkSubnet.id == subnet_id, ShareNetworkSubnet.share_network_id == network_id,
        ShareNetworkSubnet.deleted == ""))
    if found is None:
        raise NotFound(f"Share network subnet {subnet_id} could not be found.")
    return found


def get_server(session: Session, server_id: str) -> ShareServer:
    found = session.scalar(select(ShareServer).where(ShareServer.id == server_id,
                                                     ShareServer.deleted == ""))
    if found is None:
        raise NotFound(f"Share server {server_id} could not be found.")
    return found


def find_availability_zone(session: Session, name_or_id: str) -> AvailabilityZone | None:
    return session.scalar(select(AvailabilityZone).where(
        (AvailabilityZone.name == name_or_id) | (AvailabilityZone.id == name_or_id),
        AvailabilityZone.deleted == ""))


def servers_of_subnets(session: Session, subnet_ids: list[str]) -> list[ShareServer]:
    if not subnet_ids:
        return []
    return list(session.scalars(select(ShareServer).where(
        ShareServer.share_network_subnet_id.in_(subnet_ids), ShareServer.deleted == "")
        .order_by(ShareServer.created_at, ShareServer.id)))


def servers_of_network(session: Session, network: ShareNetwork) -> list[ShareServer]:
    return servers_of_subnets(session, [s.id for s in network.subnets])


def server_for(session: Session, subnet_id: str, host: str,
               statuses: tuple[str, ...] = ("active", "creating")) -> ShareServer | None:
    """The live server of ``subnet_id`` on ``host`` (``host@backend``), if any."""
    return session.scalar(select(ShareServer).where(
        ShareServer.share_network_subnet_id == subnet_id, ShareServer.host == host,
        ShareServer.deleted == "", ShareServer.status.in_(statuses))
        .order_by(ShareServer.created_at).limit(1))


def count_shares_of_network(session: Session, network_id: str) -> int:
    return int(session.scalar(select(func.count(Share.id)).where(
        Share.share_network_id == network_id, Share.deleted == "")) or 0)


def count_groups_of_network(session: Session, network_id: str) -> int:
    return int(session.scalar(select(func.count(ShareGroup.id)).where(
        ShareGroup.share_network_id == network_id, ShareGroup.deleted == "")) or 0)


def count_instances_of_servers(session: Session, server_ids: list[str]) -> int:
    """Share instances (and share groups) on these servers."""
    if not server_ids:
        return 0
    instances = session.scalar(select(func.count(ShareInstance.id)).where(
        ShareInstance.share_server_id.in_(server_ids), ShareInstance.deleted == ""))
    groups = session.scalar(select(func.count(ShareGroup.id)).where(
        ShareGroup.share_server_id.in_(server_ids), ShareGroup.deleted == ""))
    return int(instances or 0) + int(groups or 0)


def count_networks(session: Session, project_id: str, user_id: str | None = None) -> int:
    query = select(func.count(ShareNetwork.id)).where(ShareNetwork.project_id == project_id,
                                                      ShareNetwork.deleted == "")
    if user_id:
        query = query.where(ShareNetwork.user_id == user_id)
    return int(session.scalar(query) or 0)
