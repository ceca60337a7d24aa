"""``fake``: share servers that exist only in this process (with the ``dummy`` driver).

For API and flow tests and scale runs without root: a server is a record holding its
addresses; creating or deleting it twice is fine, as with the real helpers.
``fake_fail_create`` makes every create fail, to test the error paths.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from oslo_config import cfg

from abaca.common.errors import DriverError
from abaca.share.compute.base import ComputeHelper
from abaca.share.driver_api import BackendConfig, ShareServer
from abaca.share.network.base import Allocation, NetworkInfo

OPTS: list[cfg.Opt] = [
    cfg.BoolOpt("fake_fail_create", default=False,
                help="The fake compute helper fails every share server it is asked for."),
]


class FakeComputeHelper(ComputeHelper):
    provides_share_servers = True

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.servers: dict[str, ShareServer] = {}
        self._lock = threading.Lock()

    @classmethod
    def options(cls) -> list[cfg.Opt]:
        return OPTS

    def create_share_server(self, server_id: str, network: NetworkInfo,
                            allocations: Sequence[Allocation]) -> ShareServer:
        if self.config.options.fake_fail_create:
            raise DriverError("The fake compute helper is configured to fail.")
        server = ShareServer(id=server_id, addresses=tuple(a.ip_address for a in allocations),
                             details={"fake_network": network.cidr,
                                      "fake_gateway": network.gateway or "",
                                      "fake_mtu": str(network.mtu),
                                      "fake_network_type": network.network_type,
                                      "fake_segmentation_id":
                                          str(network.segmentation_id or "")})
        with self._lock:
            self.servers[server_id] = server
        return server

    def delete_share_server(self, server: ShareServer) -> None:
        with self._lock:
            self.servers.pop(server.id, None)

    def server_ids(self) -> set[str] | None:
        with self._lock:
            return set(self.servers)

    def shutdown(self) -> None:
        with self._lock:
            self.servers.clear()
