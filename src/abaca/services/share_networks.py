"""Share networks as the API handles them: validate, check policy and quota, write.

A share network holds subnets (one per availability zone, or a default one for all
zones) and a set of security services. While share servers use it, its networking
and its security services stay as they are (Manila refuses those changes too); its
name and description can still change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Conflict, Forbidden, Invalid, NotFound
from abaca.common.states import SHARE_SERVER_DELETABLE, ShareNetworkStatus, ShareServerStatus
from abaca.db.models import (
    SecurityService,
    ShareNetwork,
    ShareNetworkSecurityServiceAssociation,
    ShareNetworkSubnet,
    ShareServer,
)
from abaca.db.repositories import share_networks as repo
from abaca.db.session import Database
from abaca.services import paging, quotas, subnet_network_info, validation
from abaca.services import security_services as secsvc
from abaca.share.rpcapi import ShareAPI

NETWORK_ID_FIELDS = ("neutron_net_id", "neutron_subnet_id")
SUBNET_FILTERS = ("neutron_net_id", "neutron_subnet_id", "network_type", "segmentation_id",
                  "cidr", "ip_version")
_NET_ID = re.compile(r"[A-Za-z0-9._:-]{1,36}")


def _count_networks(session: Session, project_id: str, user_id: str, _type: str) -> int:
    return repo.count_networks(session, project_id, user_id or None)


quotas.register_counter("share_networks", _count_networks)


@dataclass
class NetworkInfo:
    """A share network with what its view needs beyond its row."""

    network: ShareNetwork
    security_service_update_support: bool = True
    servers: list[ShareServer] = field(default_factory=list)


def net_id(value: Any, name: str) -> str | None:
    """A Neutron-style network or subnet id (kept as given; the network helper reads it)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _NET_ID.fullmatch(value):
        raise Invalid(f"{name} must be an id of up to 36 letters, digits or . _ : -, "
                      f"not {value!r}.")
    return value


def target(network: ShareNetwork) -> dict[str, Any]:
    return {"project_id": network.project_id, "user_id": network.user_id}


def visible_network(session: Session, ctx: RequestContext, network_id: str, *,
                    lock: bool = False, shared: bool = False) -> ShareNetwork:
    """The network if the caller may see it (else 404); ``lock`` holds its row until the
    transaction ends, so that changes to one network (subnets, security services,
    delete, new shares) happen one after the other on PostgreSQL and MariaDB."""
    network = repo.get_network(session, network_id, lock=lock, shared=shared)
    if not (ctx.is_admin or network.project_id == ctx.project_id):
        raise NotFound(f"Share network {network_id} could not be found.")
    return network


def require_active(network: ShareNetwork) -> None:
    if network.status != ShareNetworkStatus.ACTIVE:
        raise Invalid(f"The share network {network.id} is in '{network.status}' status; "
                      "it must be 'active'.")


def resolve_zone(session: Session, value: Any) -> str | None:
    """The id of the availability zone named (or identified) by ``value``."""
    if value is None:
        return None
    name = validation.text(value, "availability_zone", allow_empty=False) or ""
    zone = repo.find_availability_zone(session, name)
    if zone is None:
        raise Invalid(f"The provided availability zone {name} does not exist.")
    return zone.id


def _date(value: str, name: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError as exc:
        raise Invalid(f"{value} is not in yyyy-mm-dd format.") from exc


def retire_servers(servers: list[ShareServer]) -> list[tuple[str, str]]:
    """Mark a network's (or subnet's) unused servers for deletion; refuse if one
    is busy or holds things Abaca did not create."""
    for server in servers:
        if not server.is_auto_deletable:
            raise Conflict("The service cannot determine if there are any non-managed "
                           f"shares on the share server {server.id}, so it cannot be "
                           "deleted. Please contact the cloud administrator to "
                           "rectify.")
        if server.status not in SHARE_SERVER_DELETABLE | {ShareServerStatus.DELETING}:
            raise Conflict(f"Share server {server.id} is {server.status}; try again "
                           "once it is active or in error.")
    casts = []
    for server in servers:
        if server.status != ShareServerStatus.DELETING:
            ShareServerStatus.check(server.status, ShareServerStatus.DELETING)
            server.status = ShareServerStatus.DELETING
            casts.append((server.host, server.id))
    return casts


@dataclass
class ShareNetworkServices:
    conf: Any
    db: Database
    share_rpc: ShareAPI

    # reads ----------------------------------------------------------------------------

    def _info(self, session: Session, network: ShareNetwork) -> NetworkInfo:
        servers = repo.servers_of_network(session, network)
        return NetworkInfo(network, all(s.security_service_update_support for s in servers),
                           servers)

    def get(self, ctx: RequestContext, network_id: str) -> NetworkInfo:
        with self.db.read() as session:
            network = visible_network(session, ctx, network_id)
            policy.authorize(ctx, "share_network:show", target(network))
            return self._info(session, network)

    def list(self, ctx: RequestContext, params: dict[str, str], *, detailed: bool,
             inexact: bool) -> list[NetworkInfo]:
        policy.authorize(ctx, "share_network:detail" if detailed else "share_network:index")
        all_tenants = validation.boolean(params.get("all_tenants", "0"), "all_tenants")
        other_project = params.get("project_id") not in (None, ctx.project_id)
        if all_tenants or other_project:
            policy.authorize(ctx, "share_network:get_all_share_networks")
        conds: list[ColumnElement[bool]] = [ShareNetwork.deleted == ""]
        if params.get("project_id") and ctx.is_admin:
            conds.append(ShareNetwork.project_id == params["project_id"])
        elif not (all_tenants and ctx.is_admin):
            conds.append(ShareNetwork.project_id == ctx.project_id)
        if "security_service_id" in params:
            conds.append(ShareNetwork.id.in_(select(
                ShareNetworkSecurityServiceAssociation.share_network_id).where(
                ShareNetworkSecurityServiceAssociation.security_service_id
                == params["security_service_id"],
                ShareNetworkSecurityServiceAssociation.deleted == "")))
        if "created_since" in params:
            conds.append(ShareNetwork.created_at >= _date(params["created_since"],
                                                          "created_since"))
        if "created_before" in params:
            conds.append(ShareNetwork.created_at <= _date(params["created_before"],
                                                          "created_before"))
        for key in ("name", "description", "status"):
            if key in params:
                conds.append(getattr(ShareNetwork, key) == params[key])
            if inexact and params.get(key + "~"):
                conds.append(getattr(ShareNetwork, key).contains(params[key + "~"],
                                                                 autoescape=True))
        for key in SUBNET_FILTERS:
            if key in params:
                value: Any = params[key]
                if key in ("segmentation_id", "ip_version"):
                    try:
                        value = int(value)
                    except ValueError as exc:
                        raise Invalid(f"{key} must be an integer.") from exc
                conds.append(ShareNetwork.id.in_(select(
                    ShareNetworkSubnet.share_network_id).where(
                    getattr(ShareNetworkSubnet, key) == value,
                    ShareNetworkSubnet.deleted == "")))
        limit, offset = paging.limit_offset(params)
        query = select(ShareNetwork).where(*conds).order_by(ShareNetwork.created_at,
                                                            ShareNetwork.id)
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.db.read() as session:
            return [self._info(session, n) for n in session.scalars(query)]

    # create / update / delete ---------------------------------------------------------

    def create(self, ctx: RequestContext, body: dict[str, Any], *,
               with_zone: bool) -> NetworkInfo:
        policy.authorize(ctx, "share_network:create")
        allowed = {"name", "description", "nova_net_id", *NETWORK_ID_FIELDS,
                   *subnet_network_info.FIELDS}
        if with_zone:
            allowed.add("availability_zone")
        validation.only_keys(body, allowed, "share_network")
        if body.get("nova_net_id") is not None:
            raise Invalid("nova networking is not supported starting in Ocata.")
        name = validation.text(body.get("name"), "name")
        description = validation.text(body.get("description"), "description")
        ids = {k: net_id(body.get(k), k) for k in NETWORK_ID_FIELDS}
        project = ctx.project_id or ""
        ids |= subnet_network_info.network_info(
            ctx, body, {"project_id": project, "user_id": ctx.user_id})
        with self.db.write() as session:
            zone_id = resolve_zone(session, body.get("availability_zone"))
            quotas.consume(session, self.conf, quotas.Scope(project, ctx.user_id),
                           {"share_networks": 1})
            network = ShareNetwork(project_id=project, user_id=ctx.user_id, name=name,
                                   description=description,
                                   status=ShareNetworkStatus.ACTIVE)
            session.add(network)
            session.flush()
            session.add(ShareNetworkSubnet(share_network_id=network.id,
                                           availability_zone_id=zone_id, **ids))
            network_id = network.id
        return self.get(ctx, network_id)

    def update(self, ctx: RequestContext, network_id: str,
               body: dict[str, Any]) -> NetworkInfo:
        validation.only_keys(body, {"name", "description", "nova_net_id",
                                    *NETWORK_ID_FIELDS}, "share_network")
        if body.get("nova_net_id") is not None:
            raise Invalid("nova networking is not supported starting in Ocata.")
        values: dict[str, Any] = {k: validation.text(body[k], k)
                                  for k in ("name", "description") if k in body}
        ids = {k: net_id(body[k], k) for k in NETWORK_ID_FIELDS if k in body}
        with self.db.write() as session:
            network = visible_network(session, ctx, network_id, lock=True)
            policy.authorize(ctx, "share_network:update", target(network))
            if ids:
                require_active(network)
                default = network.subnet_for(None)
                if default is None:
                    raise Invalid(f"The share network {network_id} does not have a "
                                  "'default' subnet that serves all availability zones, "
                                  "so subnet details (neutron_net_id, neutron_subnet_id) "
                                  "cannot be updated.")
                if repo.servers_of_subnets(session, [default.id]):
                    raise Forbidden(f"Cannot update share network {network_id}. It is "
                                    "used by share servers. Only 'name' and 'description' "
                                    "fields are available for update.")
                for key, value in ids.items():
                    setattr(default, key, value)
            for key, value in values.items():
                setattr(network, key, value)
        return self.get(ctx, network_id)

    def delete(self, ctx: RequestContext, network_id: str) -> None:
        casts: list[tuple[str, str]] = []
        with self.db.write() as session:
            network = visible_network(session, ctx, network_id, lock=True)
            policy.authorize(ctx, "share_network:delete", target(network))
            shares = repo.count_shares_of_network(session, network_id)
            if shares:
                raise Conflict(f"Can not delete share network {network_id}, it has "
                               f"{shares} share(s).")
            groups = repo.count_groups_of_network(session, network_id)
            if groups:
                raise Conflict(f"Can not delete share network {network_id}, it has "
                               f"{groups} share group(s).")
            servers = repo.servers_of_network(session, network)
            casts = retire_servers(servers)
            for subnet in network.subnets:
                subnet.soft_delete()
            for assoc in session.scalars(select(ShareNetworkSecurityServiceAssociation).where(
                    ShareNetworkSecurityServiceAssociation.share_network_id == network_id,
                    ShareNetworkSecurityServiceAssociation.deleted == "")):
                assoc.soft_delete()
            network.soft_delete()
            quotas.release(session, self.conf,
                           quotas.Scope(network.project_id, network.user_id),
                           {"share_networks": 1})
        for host, server_id in casts:
            self.share_rpc.delete_share_server(ctx, host, server_id)

    # actions --------------------------------------------------------------------------

    def _security_service(self, session: Session, ctx: RequestContext,
                          body: Any, key: str = "security_service_id") -> SecurityService:
        if not isinstance(body, dict) or not body.get(key):
            raise Invalid(f"Malformed request body: '{key}' is required.")
        return secsvc.get_visible(session, ctx, validation.uuid_like(body[key], key))

    def add_security_service(self, ctx: RequestContext, network_id: str, body: Any, *,
                             updates_supported_api: bool) -> NetworkInfo:
        with self.db.write() as session:
            network = visible_network(session, ctx, network_id, lock=True)
            policy.authorize(ctx, "share_network:add_security_service", target(network))
            service = self._security_service(session, ctx, body)
            require_active(network)
            self._refuse_if_in_use(session, network, "add", updates_supported_api)
            if any(s.id == service.id for s in network.security_services):
                raise Invalid(f"Security service {service.id} is already associated with "
                              f"share network {network_id}.")
            if any(s.type == service.type for s in network.security_services):
                raise Invalid("Cannot add security service to share network. Security "
                              f"service with '{service.type}' type already added to "
                              f"'{network_id}' share network")
            session.add(ShareNetworkSecurityServiceAssociation(
                share_network_id=network_id, security_service_id=service.id))
        return self.get(ctx, network_id)

    def remove_security_service(self, ctx: RequestContext, network_id: str,
                                body: Any) -> NetworkInfo:
        with self.db.write() as session:
            network = visible_network(session, ctx, network_id, lock=True)
            policy.authorize(ctx, "share_network:remove_security_service", target(network))
            service = self._security_service(session, ctx, body)
            if repo.servers_of_network(session, network):
                raise Forbidden("Cannot remove security services. Share network is used.")
            assoc = session.scalar(select(ShareNetworkSecurityServiceAssociation).where(
                ShareNetworkSecurityServiceAssociation.share_network_id == network_id,
                ShareNetworkSecurityServiceAssociation.security_service_id == service.id,
                ShareNetworkSecurityServiceAssociation.deleted == ""))
            if assoc is None:
                raise Invalid(f"Security service {service.id} is not associated with "
                              f"share network {network_id}.")
            assoc.soft_delete()
        return self.get(ctx, network_id)

    def _refuse_if_in_use(self, session: Session, network: ShareNetwork, verb: str,
                          updates_supported_api: bool) -> None:
        servers = repo.servers_of_network(session, network)
        if not servers:
            return
        if not updates_supported_api:
            raise Forbidden(f"Cannot {verb} security services. Share network is used.")
        raise Forbidden(f"Cannot {verb} security services of share network {network.id}: "
                        "it is used by share servers, and changing the security services "
                        "of share servers in use is not supported.")

    def update_security_service(self, ctx: RequestContext, network_id: str,
                                body: Any) -> NetworkInfo:
        """Replace one security service by another of the same type (2.63): only while
        no share server uses the network."""
        with self.db.write() as session:
            network = visible_network(session, ctx, network_id, lock=True)
            policy.authorize(ctx, "share_network:update_security_service", target(network))
            current = self._security_service(session, ctx, body, "current_service_id")
            new = self._security_service(session, ctx, body, "new_service_id")
            require_active(network)
            assoc = self._association(session, network_id, current.id)
            if current.type != new.type:
                raise Invalid(f"Cannot update security service {current.id}: the new "
                              f"service {new.id} is of type '{new.type}', not "
                              f"'{current.type}'.")
            if any(s.id == new.id for s in network.security_services):
                raise Invalid(f"Security service {new.id} is already associated with "
                              f"share network {network_id}.")
            self._refuse_if_in_use(session, network, "update", True)
            assoc.soft_delete()
            session.add(ShareNetworkSecurityServiceAssociation(
                share_network_id=network_id, security_service_id=new.id))
        return self.get(ctx, network_id)

    @staticmethod
    def _association(session: Session, network_id: str,
                     service_id: str) -> ShareNetworkSecurityServiceAssociation:
        assoc = session.scalar(select(ShareNetworkSecurityServiceAssociation).where(
            ShareNetworkSecurityServiceAssociation.share_network_id == network_id,
            ShareNetworkSecurityServiceAssociation.security_service_id == service_id,
            ShareNetworkSecurityServiceAssociation.deleted == ""))
        if assoc is None:
            raise Invalid(f"Security service {service_id} is not associated with share "
                          f"network {network_id}.")
        return assoc

    def security_service_check(self, ctx: RequestContext, network_id: str, body: Any, *,
                               operation: str) -> dict[str, Any]:
        """``update_security_service_check`` / ``add_security_service_check`` (2.63):
        compatible only when no share server would have to change."""
        rule = f"share_network:{operation}_check"
        with self.db.read() as session:
            network = visible_network(session, ctx, network_id)
            policy.authorize(ctx, rule, target(network))
            if operation == "update_security_service":
                current: str | None = self._security_service(
                    session, ctx, body, "current_service_id").id
                new = self._security_service(session, ctx, body, "new_service_id").id
                self._association(session, network_id, current or "")
            else:
                current, new = None, self._security_service(session, ctx, body).id
            servers = repo.servers_of_network(session, network)
        hosts = {s.host: False for s in servers}
        return {"compatible": not servers,
                "requested_operation": {"operation": operation,
                                        "current_security_service": current,
                                        "new_security_service": new},
                "hosts_check_result": hosts}

    def reset_status(self, ctx: RequestContext, network_id: str, body: Any) -> None:
        status = body.get("status") if isinstance(body, dict) else None
        if not isinstance(status, str) or status not in {s.value for s in ShareNetworkStatus}:
            raise Invalid(f"Invalid status {status!r}: expected one of "
                          f"{', '.join(s.value for s in ShareNetworkStatus)}.")
        with self.db.write() as session:
            network = visible_network(session, ctx, network_id, lock=True)
            policy.authorize(ctx, "share_network:reset_status", target(network))
            network.status = status


def check_for_share(session: Session, ctx: RequestContext, network_id: str,
                    availability_zone: str | None) -> list[str] | None:
    """Check a new share may use ``network_id``: visible to the caller, active, with a
    subnet in the requested zone or a default subnet. Returns the zones the share may
    go to when no zone was requested and the network has no default subnet (those of
    its subnets, as Manila limits the scheduler), else None (no limit)."""
    # shared: new shares on one network do not wait for one another, a delete does
    network = visible_network(session, ctx, network_id, lock=True, shared=True)
    require_active(network)
    zone = repo.find_availability_zone(session, availability_zone) \
        if availability_zone else None
    if network.subnet_for(zone.id if zone else None) is not None:
        return None
    zones = sorted({s.availability_zone.name for s in network.subnets
                    if s.availability_zone})
    if availability_zone or not zones:
        raise Invalid("A share network subnet was not found for the requested "
                      "availability zone.")
    return zones
