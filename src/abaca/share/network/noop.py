"""No address allocation: for backends without share servers."""

from abaca.share.network.base import NetworkHelper


class NoopNetworkHelper(NetworkHelper):
    allocates_addresses = False
