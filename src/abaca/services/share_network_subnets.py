"""Share network subnets (2.51): where a share network reaches in one availability zone,
or in all zones that have no subnet of their own (the default subnet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Conflict
from abaca.db.models import ShareNetworkSubnet
from abaca.db.repositories import share_networks as repo
from abaca.db.session import Database
from abaca.services import subnet_network_info, validation
from abaca.services.share_networks import (
    NETWORK_ID_FIELDS,
    net_id,
    require_active,
    resolve_zone,
    retire_servers,
    target,
    visible_network,
)
from abaca.share.rpcapi import ShareAPI


@dataclass
class SubnetServices:
    db: Database
    share_rpc: ShareAPI

    def list(self, ctx: RequestContext, network_id: str) -> list[ShareNetworkSubnet]:
        with self.db.read() as session:
            network = visible_network(session, ctx, network_id)
            policy.authorize(ctx, "share_network_subnet:index", target(network))
            return list(network.subnets)

    def get(self, ctx: RequestContext, network_id: str, subnet_id: str) -> ShareNetworkSubnet:
        with self.db.read() as session:
            network = visible_network(session, ctx, network_id)
            policy.authorize(ctx, "share_network_subnet:show", target(network))
            return repo.get_subnet(session, network.id, subnet_id)

    def create(self, ctx: RequestContext, network_id: str,
               body: dict[str, Any]) -> ShareNetworkSubnet:
        validation.only_keys(body, {"availability_zone", *NETWORK_ID_FIELDS,
                                    *subnet_network_info.FIELDS}, "share-network-subnet")
        ids = {k: net_id(body.get(k), k) for k in NETWORK_ID_FIELDS}
        with self.db.write() as session:
            network = visible_network(session, ctx, network_id, lock=True)
            policy.authorize(ctx, "share_network_subnet:create", target(network))
            ids |= subnet_network_info.network_info(ctx, body, target(network))
            zone_id = resolve_zone(session, body.get("availability_zone"))
            require_active(network)
            if any(s.availability_zone_id == zone_id for s in network.subnets):
                where = (f"availability zone {body['availability_zone']}" if zone_id
                         else "the default availability zone")
                raise Conflict(f"Another share network subnet was found in {where}. Only "
                               "one share network subnet is allowed per availability zone "
                               f"for share network {network_id}.")
            subnet = ShareNetworkSubnet(share_network_id=network.id,
                                        availability_zone_id=zone_id, **ids)
            session.add(subnet)
            session.flush()
            subnet_id = subnet.id
        return self.get(ctx, network_id, subnet_id)

    def delete(self, ctx: RequestContext, network_id: str, subnet_id: str) -> None:
        with self.db.write() as session:
            network = visible_network(session, ctx, network_id, lock=True)
            policy.authorize(ctx, "share_network_subnet:delete", target(network))
            subnet = repo.get_subnet(session, network.id, subnet_id)
            servers = repo.servers_of_subnets(session, [subnet.id])
            if repo.count_instances_of_servers(session, [s.id for s in servers]):
                raise Conflict(f"Cannot delete share network subnet {subnet_id}, it has "
                               "one or more shares.")
            casts = retire_servers(servers)
            subnet.soft_delete()
        for host, server_id in casts:
            self.share_rpc.delete_share_server(ctx, host, server_id)
