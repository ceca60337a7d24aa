"""NetworkHelper: chooses the addresses of share servers (or none).

A network helper never writes database rows: the share service asks it for addresses,
records them in ``network_allocations`` and gives them back (deletes the rows) on
teardown. What crosses the boundary is typed: the share network subnet as the helper
sees it (``SubnetInfo``), the network a server's addresses live on (``NetworkInfo``)
and the addresses (``Allocation``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar

from oslo_config import cfg

from abaca.common.errors import AbacaError
from abaca.share.driver_api import BackendConfig


class AddressPoolExhausted(AbacaError):
    """No free address is left for a new share server."""

    code = 400
    default_message = "The share network has no free address left for a share server."


@dataclass(frozen=True)
class SubnetInfo:
    """A share network subnet, as the network helper sees it."""

    id: str
    share_network_id: str
    cidr: str | None = None
    gateway: str | None = None
    mtu: int | None = None
    network_type: str | None = None
    segmentation_id: int | None = None
    #: the addresses of ``cidr`` to hand out (CIDRs, addresses, ranges); empty: all
    allowed_ip_ranges: tuple[str, ...] = ()


@dataclass(frozen=True)
class NetworkInfo:
    """The network a share server's addresses live on."""

    cidr: str  # the network, e.g. 198.18.0.0/24: its prefix length is the mask
    ip_version: int
    gateway: str | None
    mtu: int
    network_type: str  # "flat" or "vlan"
    segmentation_id: int | None

    @property
    def prefixlen(self) -> int:
        return int(self.cidr.rsplit("/", 1)[1])


@dataclass(frozen=True)
class Allocation:
    ip_address: str
    label: str = "user"


class NetworkHelper(ABC):
    """Chooses addresses; the share service records and releases them."""

    #: whether this helper hands out addresses for share servers
    allocates_addresses: ClassVar[bool] = False

    def __init__(self, config: BackendConfig) -> None:
        self.config = config

    @classmethod
    def options(cls) -> list[cfg.Opt]:
        """Options this helper reads from its backend's group."""
        return []

    @abstractmethod
    def network_for(self, subnet: SubnetInfo) -> NetworkInfo:
        """The network of the subnet's share servers; Invalid if it is contradictory."""

    @abstractmethod
    def allocate_network(self, subnet: SubnetInfo, taken: Collection[str],
                         count: int = 1) -> list[Allocation]:
        """``count`` addresses of the subnet's network that are not in ``taken``;
        AddressPoolExhausted when there are not enough."""

    def deallocate_network(self, allocations: Collection[Allocation]) -> None:  # noqa: B027
        """Give addresses back outside Abaca (e.g. delete ports); the share service
        deletes their rows itself. Nothing to do for a pool of plain addresses."""
