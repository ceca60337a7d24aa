"""Security services (LDAP, Kerberos, Active Directory) as the API handles them.

Their fields may later reach a share server's configuration (the share-server helper
joins a domain, points a resolver at ``dns_ip``...), so every field is checked against
a strict grammar here, before it is stored.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Forbidden, Invalid, NotFound
from abaca.db.models import (
    SecurityService,
    ShareNetwork,
    ShareNetworkSecurityServiceAssociation,
    ShareNetworkSubnet,
    ShareServer,
)
from abaca.db.session import Database
from abaca.services import paging, validation

TYPES = ("ldap", "kerberos", "active_directory")
_HOSTNAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?")
# Account names: DOMAIN\user, user@REALM, admin/admin@REALM (Kerberos), service$,
# cn=admin,dc=example,dc=com (an LDAP bind DN) ... but no spaces, quotes or ';'.
_USER = re.compile(r"[A-Za-z0-9._@$\\/=,-]{1,255}")
# LDAP distinguished names of OUs: OU=Shares,DC=example,DC=com
_OU = re.compile(r"[A-Za-z0-9 =,._-]{1,255}")
FIELDS = ("name", "description", "dns_ip", "ou", "server", "domain", "user", "password")
UPDATABLE_IN_USE = {"name", "description"}
# List filters Manila matches exactly (password never).
FILTERS = ("name", "id", "type", "user", "server", "dns_ip", "domain", "ou", "status",
           "description", "project_id")


def _ip_list(value: str, field: str) -> str:
    for part in value.split(","):
        try:
            ipaddress.ip_address(part.strip())
        except ValueError as exc:
            raise Invalid(f"{field} must be an IP address (or a comma-separated list of "
                          f"them), not {value!r}.") from exc
    return value


def _hosts(value: str, field: str) -> str:
    for part in value.split(","):
        part = part.strip()
        try:
            ipaddress.ip_address(part)
        except ValueError:
            if not _HOSTNAME.fullmatch(part):
                raise Invalid(f"{field} must be a host name or IP address (or a "
                              f"comma-separated list of them), not {value!r}.") from None
    return value


def check_field(field: str, value: Any) -> str | None:
    """The value of ``field`` if it is acceptable; None stays None (unset)."""
    allow_empty = field in ("name", "description")
    checked = validation.text(value, field, allow_empty=allow_empty)
    if checked is None or field in ("name", "description", "password"):
        return checked
    if field == "dns_ip":
        return _ip_list(checked, field)
    if field == "server":
        return _hosts(checked, field)
    if field == "domain":
        if not _HOSTNAME.fullmatch(checked):
            raise Invalid(f"domain must be a DNS domain name, not {checked!r}.")
        return checked
    if field == "user":
        if not _USER.fullmatch(checked):
            raise Invalid("user may hold only letters, digits and . _ @ $ \\ / = , - "
                          f"(no spaces), not {checked!r}.")
        return checked
    if field == "ou":
        if not _OU.fullmatch(checked):
            raise Invalid("ou must be a distinguished name such as "
                          f"'OU=Shares,DC=example,DC=com', not {checked!r}.")
        return checked
    raise Invalid(f"Unknown security service field {field}.")


def check_type(value: Any) -> str:
    if value not in TYPES:
        raise Invalid(f"Invalid type {value!r}, available types are: {', '.join(TYPES)}.")
    return str(value)


def target(service: SecurityService) -> dict[str, Any]:
    return {"project_id": service.project_id}


def get_visible(session: Session, ctx: RequestContext, service_id: str) -> SecurityService:
    found = session.scalar(select(SecurityService).where(
        SecurityService.id == service_id, SecurityService.deleted == ""))
    if found is None or not (ctx.is_admin or found.project_id == ctx.project_id):
        raise NotFound(f"Security service {service_id} could not be found.")
    return found


def networks_of(session: Session, service_id: str) -> list[ShareNetwork]:
    return list(session.scalars(select(ShareNetwork).join(
        ShareNetworkSecurityServiceAssociation,
        ShareNetworkSecurityServiceAssociation.share_network_id == ShareNetwork.id).where(
        ShareNetworkSecurityServiceAssociation.security_service_id == service_id,
        ShareNetworkSecurityServiceAssociation.deleted == "", ShareNetwork.deleted == "")))


def has_share_servers(session: Session, share_network_id: str) -> bool:
    return session.scalar(select(ShareServer.id).join(
        ShareNetworkSubnet, ShareNetworkSubnet.id == ShareServer.share_network_subnet_id).where(
        ShareNetworkSubnet.share_network_id == share_network_id,
        ShareNetworkSubnet.deleted == "", ShareServer.deleted == "").limit(1)) is not None


@dataclass
class SecurityServiceServices:
    db: Database

    def get(self, ctx: RequestContext, service_id: str) -> SecurityService:
        with self.db.read() as session:
            found = get_visible(session, ctx, service_id)
        policy.authorize(ctx, "security_service:show", target(found))
        return found

    def create(self, ctx: RequestContext, body: dict[str, Any]) -> SecurityService:
        policy.authorize(ctx, "security_service:create")
        validation.only_keys(body, set(FIELDS) | {"type", "default_ad_site"},
                             "security_service")
        if body.get("default_ad_site") is not None:
            raise Invalid("default_ad_site needs API version 2.76, which this service "
                          "does not offer.")
        kind = check_type(body.get("type"))
        values = {f: check_field(f, body.get(f)) for f in FIELDS}
        with self.db.write() as session:
            service = SecurityService(project_id=ctx.project_id or "", type=kind, **values)
            session.add(service)
            session.flush()
            service_id = service.id
        return self.get(ctx, service_id)

    def update(self, ctx: RequestContext, service_id: str,
               body: dict[str, Any]) -> SecurityService:
        validation.only_keys(body, set(FIELDS) | {"type"}, "security_service")
        if not body:
            raise Invalid("Nothing to update.")
        values: dict[str, Any] = {f: check_field(f, body[f]) for f in FIELDS if f in body}
        if "type" in body:
            values["type"] = check_type(body["type"])
        with self.db.write() as session:
            service = get_visible(session, ctx, service_id)
            policy.authorize(ctx, "security_service:update", target(service))
            if set(values) - UPDATABLE_IN_USE and any(
                    has_share_servers(session, n.id) for n in networks_of(session, service_id)):
                raise Forbidden(f"Cannot update security service {service_id}. It is "
                                "attached to share network with share server associated. "
                                "Only 'name' and 'description' fields are available for "
                                "update.")
            for key, value in values.items():
                setattr(service, key, value)
        return self.get(ctx, service_id)

    def delete(self, ctx: RequestContext, service_id: str) -> None:
        with self.db.write() as session:
            service = get_visible(session, ctx, service_id)
            policy.authorize(ctx, "security_service:delete", target(service))
            networks = networks_of(session, service_id)
            if any(has_share_servers(session, n.id) for n in networks):
                raise Forbidden("Cannot delete security service. It is assigned to share "
                                "network(s)")
            for assoc in session.scalars(select(ShareNetworkSecurityServiceAssociation).where(
                    ShareNetworkSecurityServiceAssociation.security_service_id == service_id,
                    ShareNetworkSecurityServiceAssociation.deleted == "")):
                assoc.soft_delete()
            service.soft_delete()

    def list(self, ctx: RequestContext, params: dict[str, str],
             detailed: bool) -> list[SecurityService]:
        policy.authorize(ctx, "security_service:detail" if detailed
                         else "security_service:index")
        all_tenants = validation.boolean(params.get("all_tenants", "0"), "all_tenants")
        if all_tenants:
            policy.authorize(ctx, "security_service:get_all_security_services")
        conds: list[ColumnElement[bool]] = [SecurityService.deleted == ""]
        query = select(SecurityService)
        if params.get("share_network_id"):
            query = query.join(
                ShareNetworkSecurityServiceAssociation,
                ShareNetworkSecurityServiceAssociation.security_service_id
                == SecurityService.id)
            conds += [ShareNetworkSecurityServiceAssociation.share_network_id
                      == params["share_network_id"],
                      ShareNetworkSecurityServiceAssociation.deleted == ""]
        if not (all_tenants and ctx.is_admin):
            conds.append(SecurityService.project_id == ctx.project_id)
        for key in FILTERS:
            if key in params:
                conds.append(getattr(SecurityService, key) == params[key])
        limit, offset = paging.limit_offset(params)
        with self.db.read() as session:
            query = query.where(*conds).order_by(SecurityService.created_at.desc(),
                                                 SecurityService.id)
            if offset:
                query = query.offset(offset)
            if limit is not None:
                query = query.limit(limit)
            return list(session.scalars(query))
