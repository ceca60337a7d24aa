"""Client of the scheduler topic (versions 1.0-1.2)."""

from __future__ import annotations

from typing import Any

import oslo_messaging

from abaca.common.context import RequestContext
from abaca.common.types import RequestSpec, ShareGroupSpec
from abaca.rpc import transport as rpc


class SchedulerAPI:
    def __init__(self, transport: oslo_messaging.Transport) -> None:
        self.client = rpc.get_client(transport, rpc.SCHEDULER_TOPIC, version="1.2")

    def create_share_instance(self, ctxt: RequestContext, spec: RequestSpec) -> None:
        self.client.prepare(version="1.0").cast(ctxt, "create_share_instance",
                                                request_spec=spec.to_dict())

    def extend_share(self, ctxt: RequestContext, instance_id: str, host: str, new_size: int,
                     size_increase: int, spec: RequestSpec | None = None) -> None:
        """Check the pool ``host`` (host@backend#pool) has room, then have the share
        service grow the instance (cast)."""
        self.client.prepare(version="1.1").cast(
            ctxt, "extend_share", instance_id=instance_id, host=host, new_size=new_size,
            size_increase=size_increase, request_spec=spec.to_dict() if spec else None)

    def create_share_replica(self, ctxt: RequestContext, spec: RequestSpec) -> None:
        """Place a new replica (``spec.instance_id``) in the active replica's replication
        domain (hints ``active_replica_host``, ``all_replica_hosts``), then cast
        ``create_share_replica`` to the chosen share service."""
        self.client.prepare(version="1.1").cast(ctxt, "create_share_replica",
                                                request_spec=spec.to_dict())

    def create_share_group(self, ctxt: RequestContext, spec: ShareGroupSpec) -> None:
        """Choose a pool for a new share group and hand it to its share service (cast)."""
        self.client.prepare(version="1.1").cast(ctxt, "create_share_group",
                                                group_spec=spec.to_dict())

    def update_service_capabilities(self, ctxt: RequestContext, host: str,
                                    pools: list[dict[str, Any]],
                                    finished: list[str] | None = None) -> None:
        """Fan a share service's pool report out to every scheduler; ``finished``: the
        creates and extends (``extend_key``) over since its last report, which the
        schedulers then stop counting on top of the pools' figures."""
        self.client.prepare(fanout=True, version="1.2").cast(
            ctxt, "update_service_capabilities", host=host, pools=pools,
            finished=finished or [])

    def get_pools(self, ctxt: RequestContext, filters: dict[str, Any] | None = None,
                  timeout: int = 30) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.client.prepare(version="1.0", timeout=timeout).call(
            ctxt, "get_pools", filters=filters or {})
        return result
