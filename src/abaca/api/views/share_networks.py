"""Share networks and their subnets as each microversion shows them."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, isotime
from abaca.db.models import ShareNetworkSubnet
from abaca.services.share_networks import NetworkInfo

SUBNET_FIELDS = ("neutron_net_id", "neutron_subnet_id", "network_type", "segmentation_id",
                 "cidr", "ip_version")


def _subnet_fields(subnet: ShareNetworkSubnet | None) -> dict[str, Any]:
    fields = {k: getattr(subnet, k) if subnet else None
              for k in (*SUBNET_FIELDS, "gateway", "mtu")}
    if subnet is not None and subnet.allowed_ip_ranges:
        # an admin's ranges inside the subnet's own cidr (Abaca extension): only then
        fields["allowed_ip_ranges"] = subnet.allowed_ip_ranges.split(",")
    return fields


def subnet_in_network(subnet: ShareNetworkSubnet) -> dict[str, Any]:
    return {"id": subnet.id,
            "availability_zone": (subnet.availability_zone.name
                                  if subnet.availability_zone else None),
            "created_at": isotime(subnet.created_at),
            "updated_at": isotime(subnet.updated_at),
            **_subnet_fields(subnet)}


def subnet(req: falcon.Request, sub: ShareNetworkSubnet) -> dict[str, Any]:
    body = subnet_in_network(sub)
    body["share_network_id"] = sub.share_network_id
    body["share_network_name"] = sub.share_network.name
    return body


def summary(req: falcon.Request, info: NetworkInfo) -> dict[str, Any]:
    return {"id": info.network.id, "name": info.network.name}


def detail(req: falcon.Request, info: NetworkInfo) -> dict[str, Any]:
    network = info.network
    body: dict[str, Any] = {
        "id": network.id, "name": network.name, "project_id": network.project_id,
        "created_at": isotime(network.created_at), "updated_at": isotime(network.updated_at),
        "description": network.description,
    }
    if at_least(req, "2.51"):
        body["share_network_subnets"] = [subnet_in_network(s) for s in network.subnets]
    else:
        fields = _subnet_fields(network.subnet_for(None))
        body.update({k: fields[k] for k in SUBNET_FIELDS})
        if "allowed_ip_ranges" in fields:
            body["allowed_ip_ranges"] = fields["allowed_ip_ranges"]
        if at_least(req, "2.18"):
            body["gateway"] = fields["gateway"]
        if at_least(req, "2.20"):
            body["mtu"] = fields["mtu"]
        if not at_least(req, "2.26"):
            body["nova_net_id"] = None
    if at_least(req, "2.63"):
        body["status"] = network.status
        body["security_service_update_support"] = info.security_service_update_support
    return body
