"""``standalone``: share server addresses from a flat (or VLAN) network this host reaches.

The network and its pool come from the backend's config (``standalone_network_plugin_*``,
Manila's option names) or, when the share network subnet carries a ``cidr``, from the
subnet. A pool is CIDRs, single addresses and ``first-last`` ranges; the network's own
address, its broadcast address and the gateway are never handed out. Contradictory
settings are a ConfigError at start (config) or Invalid, a 400 (a subnet's values).

Which addresses are free is the share service's business (``taken``, read from
``network_allocations`` under the backend's allocation lock): this helper only chooses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from oslo_config import cfg

from abaca.common.errors import ConfigError, Invalid
from abaca.share.driver_api import BackendConfig
from abaca.share.network.base import (
    AddressPoolExhausted,
    Allocation,
    NetworkHelper,
    NetworkInfo,
    SubnetInfo,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

NETWORK_TYPES = ("flat", "vlan")

OPTS: list[cfg.Opt] = [
    cfg.StrOpt("standalone_network_plugin_gateway", default="",
               help="Gateway of the share servers' network (standalone network helper). "
                    "With standalone_network_plugin_mask it defines the network."),
    cfg.StrOpt("standalone_network_plugin_mask", default="",
               help="Mask of the share servers' network: a prefix length (24) or a dotted "
                    "mask (255.255.255.0)."),
    cfg.ListOpt("standalone_network_plugin_allowed_ip_ranges", default=[],
                help="Addresses share servers may get: CIDRs (198.18.0.0/28), single "
                     "addresses and first-last ranges (198.18.0.10-198.18.0.20). Empty: "
                     "the whole network. Without gateway and mask, a single CIDR here is "
                     "the network."),
    cfg.StrOpt("standalone_network_plugin_network_type", default="flat",
               choices=NETWORK_TYPES,
               help="flat, or vlan (then standalone_network_plugin_segmentation_id is "
                    "required)."),
    cfg.IntOpt("standalone_network_plugin_segmentation_id", min=1, max=4094,
               help="VLAN id of the network (network type vlan only)."),
    cfg.IntOpt("standalone_network_plugin_mtu", default=1500, min=68, max=65535,
               help="MTU of the share servers' interfaces."),
]


@dataclass(frozen=True)
class Pool:
    """A network and the address intervals (inclusive, as integers) handed out from it."""

    network: NetworkInfo
    intervals: tuple[tuple[int, int], ...]

    def addresses(self) -> Iterator[str]:
        cls = ipaddress.IPv4Address if self.network.ip_version == 4 else ipaddress.IPv6Address
        for first, last in self.intervals:
            for value in range(first, last + 1):
                yield str(cls(value))

    def __contains__(self, address: str) -> bool:
        value = int(ipaddress.ip_address(address))
        return any(first <= value <= last for first, last in self.intervals)


def _address(text: str, what: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise ValueError(f"{what} {text!r} is not an IP address") from None


def _network(cidr: str, mask: str = "") -> IPNetwork:
    text = f"{cidr.strip()}/{mask.strip()}" if mask else cidr.strip()
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"{text!r} is not a network (address/prefix)") from None


def _interval(entry: str) -> tuple[IPAddress, IPAddress]:
    entry = entry.strip()
    if "/" in entry:
        net = _network(entry)
        return net.network_address, net.broadcast_address
    if "-" in entry:
        first_text, _, last_text = entry.partition("-")
        first, last = _address(first_text, "range start"), _address(last_text, "range end")
        if first.version != last.version or int(first) > int(last):
            raise ValueError(f"range {entry!r}: its start must not be above its end")
        return first, last
    address = _address(entry, "address")
    return address, address


def build_pool(*, cidr: str = "", gateway: str = "", mask: str = "",
               ranges: Sequence[str] = (), network_type: str | None = "flat",
               segmentation_id: int | None = None, mtu: int | None = 1500) -> Pool:
    """Check the settings against each other and build the pool; ValueError names the
    contradiction."""
    entries = [r for r in (r.strip() for r in ranges) if r]
    gw = _address(gateway, "gateway") if gateway else None
    if cidr:
        net = _network(cidr)
    elif gw is not None and mask:
        net = _network(str(gw), mask)
    elif len(entries) == 1 and "/" in entries[0]:
        net = _network(entries[0])
    else:
        raise ValueError("the network is unknown: give a gateway and a mask, or a single "
                         "CIDR as the allowed range")
    if gw is not None and (gw.version != net.version or gw not in net):
        raise ValueError(f"gateway {gw} is outside the network {net}")
    kind = network_type or "flat"
    if kind not in NETWORK_TYPES:
        raise ValueError(f"network type {kind!r}: expected one of {', '.join(NETWORK_TYPES)}")
    if kind == "vlan" and segmentation_id is None:
        raise ValueError("network type vlan needs a segmentation id")
    if kind == "flat" and segmentation_id is not None:
        raise ValueError("a flat network has no segmentation id")
    if segmentation_id is not None and not 1 <= segmentation_id <= 4094:
        raise ValueError(f"segmentation id {segmentation_id} is not a VLAN id (1-4094)")
    mtu = 1500 if mtu is None else mtu
    if not (1280 if net.version == 6 else 68) <= mtu <= 65535:
        raise ValueError(f"MTU {mtu} is out of range for IPv{net.version}")
    spans = [_interval(e) for e in entries] or [(net.network_address, net.broadcast_address)]
    reserved = {int(net.network_address), int(gw) if gw is not None else -1}
    if net.version == 4 and net.prefixlen < 31:
        reserved.add(int(net.broadcast_address))
    values: list[tuple[int, int]] = []
    for first, last in spans:
        if first.version != net.version or first not in net or last not in net:
            raise ValueError(f"allowed range {first}-{last} is outside the network {net}")
        values.append((int(first), int(last)))
    intervals = _without(_merge(values), reserved)
    if not intervals:
        raise ValueError(f"no address of {net} is left to hand out")
    info = NetworkInfo(cidr=str(net), ip_version=net.version,
                       gateway=str(gw) if gw is not None else None, mtu=mtu,
                       network_type=kind, segmentation_id=segmentation_id)
    return Pool(network=info, intervals=tuple(intervals))


def _merge(values: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(values):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _without(intervals: list[tuple[int, int]], reserved: set[int]) -> list[tuple[int, int]]:
    out = []
    for first, last in intervals:
        cuts = sorted(r for r in reserved if first <= r <= last)
        start = first
        for cut in cuts:
            if start <= cut - 1:
                out.append((start, cut - 1))
            start = cut + 1
        if start <= last:
            out.append((start, last))
    return out


def validate_subnet(*, cidr: str | None, gateway: str | None, mtu: int | None,
                    network_type: str | None, segmentation_id: int | None,
                    ip_version: int | None = None,
                    allowed_ip_ranges: Sequence[str] = ()) -> NetworkInfo | None:
    """Invalid (400) when a share network subnet's values contradict each other (the
    same rules as the config's); else the network they make (None without a cidr)."""
    if not cidr:
        if (gateway or segmentation_id is not None or mtu is not None
                or network_type is not None or ip_version is not None
                or allowed_ip_ranges):
            raise Invalid("A gateway, MTU, network type, segmentation id, IP version or "
                          "allowed IP ranges need the subnet's cidr.")
        return None
    try:
        net = _network(cidr)
        if str(net) != cidr.strip():
            raise ValueError(f"{cidr!r} has host bits set: the network is {net}")
        if ip_version is not None and ip_version != net.version:
            raise ValueError(f"IP version {ip_version} does not match the network {net}")
        return build_pool(cidr=cidr, gateway=gateway or "", network_type=network_type,
                          segmentation_id=segmentation_id, mtu=mtu,
                          ranges=allowed_ip_ranges).network
    except ValueError as exc:
        raise Invalid(f"Invalid share network subnet: {exc}.") from None


class StandaloneNetworkHelper(NetworkHelper):
    allocates_addresses = True

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        opts = config.options
        try:
            self.pool = build_pool(
                gateway=opts.standalone_network_plugin_gateway,
                mask=opts.standalone_network_plugin_mask,
                ranges=opts.standalone_network_plugin_allowed_ip_ranges,
                network_type=opts.standalone_network_plugin_network_type,
                segmentation_id=opts.standalone_network_plugin_segmentation_id,
                mtu=opts.standalone_network_plugin_mtu)
        except ValueError as exc:
            raise ConfigError(f"[{config.name}] standalone network helper: {exc}") from None

    @classmethod
    def options(cls) -> list[cfg.Opt]:
        return OPTS

    def pool_for(self, subnet: SubnetInfo) -> Pool:
        # A subnet without a network of its own, or showing the configured one (the
        # share service records the network it used on the subnet, as Manila does), gets
        # the configured pool; one an admin gave another network or gateway gets its own.
        mine = self.pool.network
        if not subnet.cidr or (not subnet.allowed_ip_ranges and (
                subnet.cidr, subnet.gateway or None) == (mine.cidr, mine.gateway)):
            return self.pool
        try:
            return build_pool(cidr=subnet.cidr, gateway=subnet.gateway or "",
                              ranges=subnet.allowed_ip_ranges,
                              network_type=subnet.network_type,
                              segmentation_id=subnet.segmentation_id,
                              mtu=subnet.mtu or self.pool.network.mtu)
        except ValueError as exc:
            raise Invalid(f"Share network subnet {subnet.id}: {exc}.") from None

    def network_for(self, subnet: SubnetInfo) -> NetworkInfo:
        return self.pool_for(subnet).network

    def allocate_network(self, subnet: SubnetInfo, taken: Collection[str],
                         count: int = 1) -> list[Allocation]:
        used = {str(ipaddress.ip_address(a)) for a in taken}
        chosen: list[Allocation] = []
        for address in self.pool_for(subnet).addresses():
            if address not in used:
                chosen.append(Allocation(ip_address=address))
                if len(chosen) == count:
                    return chosen
        raise AddressPoolExhausted(
            f"The share network {subnet.share_network_id} has no free address left for a "
            f"new share server on backend {self.config.share_backend_name}.")
