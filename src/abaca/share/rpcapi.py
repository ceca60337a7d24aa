"""Client of the share topic (version 1.0): one server per host@backend."""

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

    def publish_service_capabilities(self, ctxt: RequestContext) -> None:
        """Ask every share service to report its pools now (a scheduler just started)."""
        self.client.prepare(fanout=True, version="1.0").cast(
            ctxt, "publish_service_capabilities")
