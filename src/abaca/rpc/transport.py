"""Message bus set-up: RabbitMQ between processes, in-process for all-in-one and tests."""

from __future__ import annotations

from typing import Any

import oslo_messaging

from abaca.common.context import RequestContext

IN_PROCESS_URL = "inproc://"

# A cast tries to reach the bus this many more times (about 1 + 2 + 4 s with
# oslo.messaging's default back-off) and then raises MessageDeliveryFailure: while
# RabbitMQ is down the API answers 503 instead of hanging, and the services' periodic
# checks (share/reconcile/) finish or time out what the lost message was for.
SEND_RETRY = 2

SCHEDULER_TOPIC = "abaca-scheduler"
SHARE_TOPIC = "abaca-share"


def get_transport(conf: Any, url: str | None = None) -> oslo_messaging.Transport:
    """The RPC transport for ``url`` (or [DEFAULT] transport_url; in-process if unset)."""
    return oslo_messaging.get_rpc_transport(conf, url=url or conf.transport_url or IN_PROCESS_URL)


class ContextSerializer(oslo_messaging.Serializer):  # type: ignore[misc]
    """Carries the RequestContext as a plain dict; payloads are already plain data."""

    def serialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return entity

    def deserialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return entity

    def serialize_context(self, ctxt: RequestContext) -> dict[str, Any]:
        return ctxt.to_dict()

    def deserialize_context(self, ctxt: dict[str, Any]) -> RequestContext:
        return RequestContext.from_dict(ctxt)


def get_client(transport: oslo_messaging.Transport, topic: str,
               version: str = "1.0") -> oslo_messaging.RPCClient:
    target = oslo_messaging.Target(topic=topic, version=version)
    return oslo_messaging.get_rpc_client(transport, target, serializer=ContextSerializer(),
                                         retry=SEND_RETRY)


def get_server(transport: oslo_messaging.Transport, topic: str, server: str,
               endpoints: list[Any]) -> oslo_messaging.MessageHandlingServer:
    target = oslo_messaging.Target(topic=topic, server=server)
    return oslo_messaging.get_rpc_server(transport, target, endpoints, executor="threading",
                                         serializer=ContextSerializer())
