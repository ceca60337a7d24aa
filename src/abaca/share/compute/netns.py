"""``netns``: a share server is a Linux network namespace of this host.

Each server's namespace ``abaca-<server id>`` holds one end of a veth pair (``eth0``,
with the server's addresses, MTU and a default route through the gateway); the other
end (``av<13 hex digits of the id>``) is a port of a bridge the share service owns in
the root namespace (``netns_bridge``), which also carries the network's gateway
address. Clients reach the servers through that bridge (a physical port added to it, or
routing through the gateway); the storage driver starts its daemons inside the
namespace (``ShareServer.network_namespace``), bound to the server's address.

Every step looks before it acts, so a create or a delete interrupted by a crash is
finished by the next call. Names are built from a UUID and checked before they reach
``ip``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import signal
import time
from collections.abc import Sequence

from oslo_config import cfg

from abaca.common.errors import ConfigError, DriverError
from abaca.share.compute.base import ComputeHelper
from abaca.share.driver_api import BackendConfig, ShareServer
from abaca.share.network.base import Allocation, NetworkInfo
from abaca.share.processutils import CommandError, run

LOG = logging.getLogger(__name__)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_IFNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,14}")
NAMESPACE_PREFIX = "abaca-"
INNER_IF = "eth0"

OPTS: list[cfg.Opt] = [
    cfg.StrOpt("netns_bridge", default="abacabr0",
               help="Bridge in the root namespace joining the share servers' namespaces "
                    "(netns compute helper); it gets the network's gateway address. "
                    "1 to 15 letters, digits, '.', '_', '-'."),
]


def namespace_name(server_id: str) -> str:
    if not _UUID.fullmatch(server_id):
        raise DriverError(f"Share server id {server_id!r} is not a UUID.")
    return NAMESPACE_PREFIX + server_id


def host_link_name(server_id: str) -> str:
    namespace_name(server_id)  # validates
    return "av" + server_id.replace("-", "")[:13]


def mac_address(address: str) -> str:
    """A locally administered MAC made from the address (its last four bytes), so that a
    server that gets an address again has the MAC clients still have in their ARP or
    neighbour caches: no stale entry sends them to a veth that no longer exists."""
    tail = ipaddress.ip_address(address).packed[-4:]
    return "02:ab:" + ":".join(f"{b:02x}" for b in tail)


def server_id_of(namespace: str) -> str | None:
    """The share server id of one of our namespaces, else None."""
    rest = namespace[len(NAMESPACE_PREFIX):] if namespace.startswith(NAMESPACE_PREFIX) else ""
    return rest if _UUID.fullmatch(rest) else None


def _ip(*argv: str, check: bool = True) -> str:
    return run(["ip", *argv], check=check, timeout=30).stdout


def namespaces() -> set[str]:
    """Names of the network namespaces of this host (``ip netns list``)."""
    return {line.split()[0] for line in _ip("netns", "list").splitlines() if line.strip()}


def link_exists(name: str, namespace: str | None = None) -> bool:
    where = ["-n", namespace] if namespace else []
    return run(["ip", *where, "link", "show", "dev", name], check=False,
               timeout=30).returncode == 0


class NetnsComputeHelper(ComputeHelper):
    provides_share_servers = True

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        bridge = config.options.netns_bridge
        if not _IFNAME.fullmatch(bridge or ""):
            raise ConfigError(f"[{config.name}] netns_bridge = {bridge!r}: expected 1 to 15 "
                              "letters, digits, '.', '_', '-'")
        self.bridge = bridge
        self._ours: set[str] = set()

    @classmethod
    def options(cls) -> list[cfg.Opt]:
        return OPTS

    # servers ----------------------------------------------------------------------------

    def create_share_server(self, server_id: str, network: NetworkInfo,
                            allocations: Sequence[Allocation]) -> ShareServer:
        ns, host_if = namespace_name(server_id), host_link_name(server_id)
        if not allocations:
            raise DriverError("A share server needs an address.")
        addresses = [str(ipaddress.ip_address(a.ip_address)) for a in allocations]
        cidr = ipaddress.ip_network(network.cidr)
        mtu = str(int(network.mtu))
        self._ensure_bridge(network)
        if ns not in namespaces():
            _ip("netns", "add", ns)
        self._ours.add(ns)
        mac = mac_address(addresses[0])
        if not link_exists(host_if):
            _ip("link", "add", host_if, "mtu", mtu, "type", "veth", "peer", "name", INNER_IF,
                "address", mac, "mtu", mtu, "netns", ns)
        elif f" {mac} " not in _ip("-n", ns, "-o", "link", "show", "dev", INNER_IF):
            _ip("-n", ns, "link", "set", INNER_IF, "down")
            _ip("-n", ns, "link", "set", INNER_IF, "address", mac)
        _ip("link", "set", host_if, "master", self.bridge, "mtu", mtu, "up")
        _ip("-n", ns, "link", "set", "lo", "up")
        for address in addresses:
            _ip("-n", ns, "addr", "replace", f"{address}/{cidr.prefixlen}", "dev", INNER_IF)
        _ip("-n", ns, "link", "set", INNER_IF, "mtu", mtu, "up")
        if network.gateway:
            gateway = str(ipaddress.ip_address(network.gateway))
            _ip("-n", ns, "route", "replace", "default", "via", gateway, "dev", INNER_IF)
        LOG.info("share server %s: namespace %s at %s on bridge %s", server_id, ns,
                 ", ".join(addresses), self.bridge)
        details = {"network_namespace": ns, "host_link": host_if, "bridge": self.bridge,
                   "network_type": network.network_type, "mtu": mtu, "mac_address": mac}
        if network.segmentation_id is not None:
            details["segmentation_id"] = str(network.segmentation_id)
        return ShareServer(id=server_id, addresses=tuple(addresses), network_namespace=ns,
                           details=details)

    def delete_share_server(self, server: ShareServer) -> None:
        ns, host_if = namespace_name(server.id), host_link_name(server.id)
        if ns in namespaces():
            _stop_processes_in(ns)
            if link_exists(host_if):
                _ip("link", "del", host_if)
            _ip("netns", "del", ns)
        elif link_exists(host_if):
            _ip("link", "del", host_if)
        self._ours.discard(ns)
        LOG.info("share server %s: namespace %s removed", server.id, ns)

    def server_ids(self) -> set[str] | None:
        """Servers on this helper's bridge: our namespaces whose host link is one of its
        ports (namespaces on another bridge, another deployment's, are not ours to
        judge)."""
        if not link_exists(self.bridge):
            return set()
        ports = set()
        for line in _ip("-o", "link", "show", "master", self.bridge).splitlines():
            parts = line.split(": ")
            if len(parts) > 1:
                ports.add(parts[1].split("@")[0])
        return {sid for ns in namespaces()
                if (sid := server_id_of(ns)) is not None and host_link_name(sid) in ports}

    # the bridge -------------------------------------------------------------------------

    def _ensure_bridge(self, network: NetworkInfo) -> None:
        if not link_exists(self.bridge):
            try:
                _ip("link", "add", self.bridge, "type", "bridge")
            except CommandError:
                if not link_exists(self.bridge):  # another backend made it meanwhile
                    raise
        _ip("link", "set", self.bridge, "up")
        if network.gateway:
            gateway = ipaddress.ip_address(network.gateway)
            prefix = ipaddress.ip_network(network.cidr).prefixlen
            _ip("addr", "replace", f"{gateway}/{prefix}", "dev", self.bridge)

    def shutdown(self) -> None:
        """Remove the namespaces this helper set up, and the bridge once no port is left
        (the servers come back at the next start from the database)."""
        for ns in sorted(self._ours):
            server_id = server_id_of(ns)
            if server_id is not None:
                try:
                    self.delete_share_server(ShareServer(id=server_id, addresses=()))
                except Exception:
                    LOG.exception("could not remove namespace %s", ns)
        if link_exists(self.bridge) and not _ip("link", "show", "master", self.bridge).strip():
            _ip("link", "del", self.bridge, check=False)


def _stop_processes_in(ns: str, timeout: float = 10) -> None:
    """Stop what still runs in one of our namespaces (the driver stopped its daemons
    already; anything left was started there for the server, so it is ours)."""
    def pids() -> list[int]:
        out = run(["ip", "netns", "pids", ns], check=False, timeout=30).stdout
        return [int(p) for p in out.split() if p.isdigit() and int(p) != os.getpid()]

    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        if not pids():
            return
