"""Client of the share topic (version 1.2): one server per host@backend.

1.1: delete_share_server, manage_share_server, unmanage_share_server.
1.2: update_snapshot_access.
"""

from __future__ import annotations

from typing import Any

import oslo_messaging

from abaca.common.context import RequestContext
from abaca.common.types import RequestSpec
from abaca.rpc import transport as rpc


class ShareAPI:
    def __init__(self, transport: oslo_messaging.Transport) -> None:
        self.client = rpc.get_client(transport, rpc.SHARE_TOPIC)

    def create_share_instance(self, ctxt: RequestContext, service_host: str,
                              spec: RequestSpec, candidates: list[dict[str, Any]]) -> None:
        """Ask ``service_host`` to create the instance on the first candidate that works.

        ``candidates`` are the scheduler's ordered ``{"host": "h@b#pool", "weight": w}``.
        """
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "create_share_instance", request_spec=spec.to_dict(), candidates=candidates)

    def delete_share_instance(self, ctxt: RequestContext, service_host: str,
                              instance_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "delete_share_instance", instance_id=instance_id)

    def update_access(self, ctxt: RequestContext, service_host: str, instance_id: str) -> None:
        """Apply the instance's queued access rules (the whole batch at once)."""
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "update_access", instance_id=instance_id)

    def create_snapshot(self, ctxt: RequestContext, service_host: str,
                        snapshot_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "create_snapshot", snapshot_id=snapshot_id)

    def delete_snapshot(self, ctxt: RequestContext, service_host: str,
                        snapshot_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "delete_snapshot", snapshot_id=snapshot_id)

    def revert_to_snapshot(self, ctxt: RequestContext, service_host: str,
                           instance_id: str, snapshot_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "revert_to_snapshot", instance_id=instance_id, snapshot_id=snapshot_id)

    def resize_share(self, ctxt: RequestContext, service_host: str, instance_id: str,
                     new_size: int) -> None:
        """Extend or shrink (the instance's status says which) to ``new_size`` GiB."""
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "resize_share", instance_id=instance_id, new_size=new_size)

    def manage_share(self, ctxt: RequestContext, service_host: str, instance_id: str,
                     export_path: str, driver_options: dict[str, str]) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "manage_share", instance_id=instance_id, export_path=export_path,
            driver_options=driver_options)

    def unmanage_share(self, ctxt: RequestContext, service_host: str,
                       instance_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "unmanage_share", instance_id=instance_id)

    def manage_snapshot(self, ctxt: RequestContext, service_host: str, snapshot_id: str,
                        driver_options: dict[str, str]) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "manage_snapshot", snapshot_id=snapshot_id, driver_options=driver_options)

    def unmanage_snapshot(self, ctxt: RequestContext, service_host: str,
                          snapshot_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "unmanage_snapshot", snapshot_id=snapshot_id)

    # share replicas: every message goes to the share service of the replica concerned

    def create_share_replica(self, ctxt: RequestContext, service_host: str,
                             spec: RequestSpec, candidates: list[dict[str, Any]]) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "create_share_replica", request_spec=spec.to_dict(), candidates=candidates)

    def delete_share_replica(self, ctxt: RequestContext, service_host: str, replica_id: str,
                             force: bool = False) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "delete_share_replica", replica_id=replica_id, force=force)

    def promote_share_replica(self, ctxt: RequestContext, service_host: str,
                              replica_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "promote_share_replica", replica_id=replica_id)

    def update_share_replica(self, ctxt: RequestContext, service_host: str,
                             replica_id: str) -> None:
        """Resync: have the driver bring the replica up to date and report its state."""
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "update_share_replica", replica_id=replica_id)

    def update_replica_access(self, ctxt: RequestContext, service_host: str,
                              replica_id: str) -> None:
        """Make the replica serve the share's active rules (read-only if readable)."""
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "update_replica_access", replica_id=replica_id)

    # share groups --------------------------------------------------------------------

    def create_share_group(self, ctxt: RequestContext, service_host: str, group_id: str,
                           candidates: list[dict[str, Any]]) -> None:
        """Create the group on the first candidate pool that works (or, for a group from
        a group snapshot, on the source group's pool with its shares)."""
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "create_share_group", group_id=group_id, candidates=candidates)

    def delete_share_group(self, ctxt: RequestContext, service_host: str,
                           group_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "delete_share_group", group_id=group_id)

    def create_share_group_snapshot(self, ctxt: RequestContext, service_host: str,
                                    snapshot_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "create_share_group_snapshot", snapshot_id=snapshot_id)

    def delete_share_group_snapshot(self, ctxt: RequestContext, service_host: str,
                                    snapshot_id: str) -> None:
        self.client.prepare(server=service_host, version="1.0").cast(
            ctxt, "delete_share_group_snapshot", snapshot_id=snapshot_id)

    # share servers (version 1.1): the server's host runs its lifecycle

    def delete_share_server(self, ctxt: RequestContext, service_host: str,
                            share_server_id: str) -> None:
        """Tear the server down (status ``deleting``), free its network allocations."""
        self.client.prepare(server=service_host, version="1.1").cast(
            ctxt, "delete_share_server", share_server_id=share_server_id)

    def manage_share_server(self, ctxt: RequestContext, service_host: str,
                            share_server_id: str) -> None:
        """Adopt the server identified by its row's ``identifier`` (``manage_starting``)."""
        self.client.prepare(server=service_host, version="1.1").cast(
            ctxt, "manage_share_server", share_server_id=share_server_id)

    def unmanage_share_server(self, ctxt: RequestContext, service_host: str,
                              share_server_id: str, force: bool = False) -> None:
        """Forget the server (``unmanage_starting``) without touching it; ``force``
        forgets it even if the driver cannot."""
        self.client.prepare(server=service_host, version="1.1").cast(
            ctxt, "unmanage_share_server", share_server_id=share_server_id, force=force)

    # mountable snapshots (version 1.2)

    def update_snapshot_access(self, ctxt: RequestContext, service_host: str,
                               snapshot_id: str) -> None:
        """Apply the snapshot's queued access rules (its share's service host)."""
        self.client.prepare(server=service_host, version="1.2").cast(
            ctxt, "update_snapshot_access", snapshot_id=snapshot_id)

    def publish_service_capabilities(self, ctxt: RequestContext) -> None:
        """Ask every share service to report its pools now (a scheduler just started)."""
        self.client.prepare(fanout=True, version="1.0").cast(
            ctxt, "publish_service_capabilities")
