"""No address allocation: for backends without share servers."""

from __future__ import annotations

from collections.abc import Collection

from abaca.common.errors import ConfigError
from abaca.share.network.base import Allocation, NetworkHelper, NetworkInfo, SubnetInfo


class NoopNetworkHelper(NetworkHelper):
    allocates_addresses = False

    def network_for(self, subnet: SubnetInfo) -> NetworkInfo:
        raise ConfigError(f"[{self.config.name}] network_helper = noop allocates no "
                          "network for share servers")

    def allocate_network(self, subnet: SubnetInfo, taken: Collection[str],
                         count: int = 1) -> list[Allocation]:
        raise ConfigError(f"[{self.config.name}] network_helper = noop allocates no "
                          "addresses")
