"""Share servers as the (admin) API handles them; the share service does the work.

Delete, manage and unmanage write the new status, commit, then cast to the share
service of the server's host (``host@backend``), which implements the lifecycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Conflict, Forbidden, Invalid
from abaca.common.states import (
    SHARE_SERVER_DELETABLE,
    SHARE_SERVER_RESETTABLE,
    SHARE_SERVER_UNMANAGEABLE,
    ShareServerStatus,
)
from abaca.db.models import ShareServer
from abaca.db.repositories import services as services_repo
from abaca.db.repositories import share_networks as repo
from abaca.db.session import Database
from abaca.services import validation
from abaca.services.share_networks import require_active, visible_network
from abaca.share.rpcapi import ShareAPI

V = ShareServerStatus
# Filters Manila matches against a server's attributes (share_network: name or id).
FILTERS = ("host", "status", "project_id", "share_network_id", "share_network_subnet_id",
           "identifier", "source_share_server_id", "task_state", "id")


def project_of(server: ShareServer) -> str | None:
    return server.subnet.share_network.project_id if server.subnet else None


def network_of(server: ShareServer) -> tuple[str | None, str | None]:
    """(id, name) of the server's share network; the name falls back to the id."""
    if server.subnet is None:
        return None, None
    network = server.subnet.share_network
    return network.id, network.name or network.id


def _attr(server: ShareServer, key: str) -> Any:
    if key == "project_id":
        return project_of(server)
    if key == "share_network_id":
        return network_of(server)[0]
    return getattr(server, key)


def _target(server: ShareServer) -> dict[str, Any]:
    return {"project_id": project_of(server)}


@dataclass
class ShareServerServices:
    conf: Any
    db: Database
    share_rpc: ShareAPI

    def list(self, ctx: RequestContext, params: dict[str, str]) -> list[ShareServer]:
        policy.authorize(ctx, "share_server:index")
        with self.db.read() as session:
            servers = list(session.scalars(select(ShareServer).where(
                ShareServer.deleted == "").order_by(ShareServer.created_at, ShareServer.id)))
        for key in FILTERS:
            if key in params:
                servers = [s for s in servers if _attr(s, key) == params[key]]
        if "share_network" in params:
            servers = [s for s in servers if params["share_network"] in network_of(s)]
        if "is_auto_deletable" in params:
            wanted = validation.boolean(params["is_auto_deletable"], "is_auto_deletable")
            servers = [s for s in servers if s.is_auto_deletable == wanted]
        return servers

    def get(self, ctx: RequestContext, server_id: str, *,
            rule: str = "share_server:show") -> ShareServer:
        with self.db.read() as session:
            server = repo.get_server(session, server_id)
        policy.authorize(ctx, rule, _target(server))
        return server

    def details(self, ctx: RequestContext, server_id: str) -> dict[str, str]:
        return self.get(ctx, server_id, rule="share_server:details").backend_details()

    def delete(self, ctx: RequestContext, server_id: str) -> None:
        with self.db.write() as session:
            server = repo.get_server(session, server_id)
            policy.authorize(ctx, "share_server:delete", _target(server))
            if server.status not in SHARE_SERVER_DELETABLE:
                raise Forbidden(f"Share server's actual status is {server.status}, allowed "
                                "statuses for deletion are "
                                f"{sorted(s.value for s in SHARE_SERVER_DELETABLE)}.")
            if repo.count_instances_of_servers(session, [server.id]):
                raise Conflict(f"Share server {server_id} is in use by shares.")
            V.check(server.status, V.DELETING)
            server.status = V.DELETING
            host = server.host
        self.share_rpc.delete_share_server(ctx, host, server_id)

    def reset_status(self, ctx: RequestContext, server_id: str, body: Any) -> None:
        status = body.get("status") if isinstance(body, dict) else None
        if not isinstance(status, str) or status not in SHARE_SERVER_RESETTABLE:
            raise Invalid(f"Share server status {status!r} is invalid: expected one of "
                          f"{', '.join(sorted(SHARE_SERVER_RESETTABLE))}.")
        with self.db.write() as session:
            server = repo.get_server(session, server_id)
            policy.authorize(ctx, "share_server:reset_status", _target(server))
            server.status = status  # an admin's reset bypasses the state machine

    def unmanage(self, ctx: RequestContext, server_id: str, body: Any) -> None:
        body = body if isinstance(body, dict) else {}
        validation.only_keys(body, {"force"}, "unmanage")
        force = validation.boolean(body.get("force", False), "force")
        with self.db.write() as session:
            server = repo.get_server(session, server_id)
            policy.authorize(ctx, "share_server:unmanage_share_server", _target(server))
            if server.status not in SHARE_SERVER_UNMANAGEABLE:
                raise Invalid(f"Share server's actual status is {server.status}, allowed "
                              "statuses for unmanaging are "
                              f"{sorted(s.value for s in SHARE_SERVER_UNMANAGEABLE)}.")
            if repo.count_instances_of_servers(session, [server.id]):
                raise Invalid(f"Share server {server_id} is in use by shares; unmanage "
                              "them first.")
            server.status = V.UNMANAGE_STARTING
            host = server.host
        self.share_rpc.unmanage_share_server(ctx, host, server_id, force)

    def manage(self, ctx: RequestContext, body: dict[str, Any], *,
               with_subnet: bool) -> ShareServer:
        policy.authorize(ctx, "share_server:manage_share_server")
        allowed = {"host", "share_network_id", "identifier", "driver_options"}
        if with_subnet:
            allowed.add("share_network_subnet_id")
        validation.only_keys(body, allowed, "share_server")
        host = validation.text(body.get("host"), "host", allow_none=False,
                               allow_empty=False) or ""
        backend = host.partition("#")[0]
        if backend.count("@") != 1:
            raise Invalid(f"host must be host@backend, not {host!r}.")
        identifier = validation.text(body.get("identifier"), "identifier",
                                     allow_none=False, allow_empty=False)
        network_id = validation.uuid_like(body.get("share_network_id"), "share_network_id")
        subnet_id = body.get("share_network_subnet_id")
        if subnet_id is not None:
            subnet_id = validation.uuid_like(subnet_id, "share_network_subnet_id")
        validation.metadata(body.get("driver_options"), "driver_options")
        with self.db.write() as session:
            svc = services_repo.get_by_host_binary(session, backend, "abaca-share")
            if svc is None:
                raise Invalid(f"Service host {backend} could not be found.")
            if not services_repo.is_up(svc, self.conf.service_down_time):
                raise Invalid(f"Service {backend} is down.")
            network = visible_network(session, ctx, network_id, lock=True)
            require_active(network)
            subnet = next((s for s in network.subnets if s.id == subnet_id), None) \
                if subnet_id else network.subnet_for(None)
            if subnet is None:
                raise Invalid(f"Share network subnet {subnet_id} could not be found."
                              if subnet_id else
                              f"The share network {network_id} does not have a default "
                              "subnet; specify one subnet.")
            if session.scalar(select(ShareServer.id).where(
                    ShareServer.host == backend, ShareServer.identifier == identifier,
                    ShareServer.deleted == "")) is not None:
                raise Invalid(f"A share server with identifier {identifier} is already "
                              f"known on {backend}.")
            server = ShareServer(host=backend, status=V.MANAGE_STARTING,
                                 identifier=identifier, is_auto_deletable=False,
                                 share_network_subnet_id=subnet.id)
            session.add(server)
            session.flush()
            server_id = server.id
        created = self.get(ctx, server_id)
        self.share_rpc.manage_share_server(ctx, backend, server_id)
        return created
