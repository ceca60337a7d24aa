"""Typed payloads that cross process boundaries (RPC) or the driver boundary.

Each has ``to_dict``/``from_dict`` so that messages carry plain JSON-able data, never
ORM rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


def extend_key(instance_id: str) -> str:
    """How the scheduler and a share service name an extend of ``instance_id`` whose
    room the scheduler counts until the share service reports it done (a create is
    named by the instance id itself)."""
    return f"extend:{instance_id}"


@dataclass(frozen=True)
class ShareTypeSpec:
    id: str
    name: str
    extra_specs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestSpec:
    """What the scheduler needs to place a new share instance."""

    share_id: str
    instance_id: str
    project_id: str
    size: int
    share_proto: str
    share_type: ShareTypeSpec | None
    availability_zone: str | None = None
    snapshot_id: str | None = None
    # Scheduler hints (``only_host``, ``same_host``, ``different_host``) plus what the
    # API resolved from them (``same_host_hosts``, ...): see abaca.scheduler.request.
    scheduler_hints: dict[str, str] = field(default_factory=dict)
    # ``host@backend#pool`` of the snapshot a share is created from.
    snapshot_host: str | None = None
    # "create", "create_from_snapshot" or "extend": chooses the capacity reserve.
    operation: str = "create"
    # Admin-only hints (``only_host``) are honoured only when this is set.
    is_admin: bool = False
    # The share network of a share on a backend with share servers (DHSS=True).
    share_network_id: str | None = None
    # The zones where that network has subnets, when it has no default subnet: the
    # share must land in one of them (None: any zone).
    network_zones: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestSpec:
        """Build from a message; keys this version does not know are ignored, so a newer
        API can talk to an older scheduler during an upgrade."""
        known = set(cls.__dataclass_fields__)
        st = data.get("share_type")
        values = {k: v for k, v in data.items() if k in known}
        values["share_type"] = ShareTypeSpec(**st) if st else None
        return cls(**values)


@dataclass(frozen=True)
class PoolStats:
    """Capacity and capabilities of one pool, as its driver reports them."""

    pool_name: str
    total_capacity_gb: float
    free_capacity_gb: float
    allocated_capacity_gb: float = 0.0
    provisioned_capacity_gb: float | None = None
    reserved_percentage: int = 0
    thin_provisioning: bool = False
    max_over_subscription_ratio: float = 1.0
    capabilities: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BackendStats:
    """A backend's report: backend-wide capabilities and its pools."""

    share_backend_name: str
    driver_handles_share_servers: bool
    storage_protocol: str
    pools: tuple[PoolStats, ...]
    vendor_name: str = "Abaca"
    driver_version: str = "1.0"
    snapshot_support: bool = False
    create_share_from_snapshot_support: bool = False
    revert_to_snapshot_support: bool = False
    mount_snapshot_support: bool = False
    capabilities: dict[str, Any] = field(default_factory=dict)

    def pool_capabilities(self) -> list[dict[str, Any]]:
        """One flat capability dict per pool: backend values, overridden by the pool's."""
        backend = {
            "share_backend_name": self.share_backend_name,
            "driver_handles_share_servers": self.driver_handles_share_servers,
            "storage_protocol": self.storage_protocol,
            "vendor_name": self.vendor_name,
            "driver_version": self.driver_version,
            "snapshot_support": self.snapshot_support,
            "create_share_from_snapshot_support": self.create_share_from_snapshot_support,
            "revert_to_snapshot_support": self.revert_to_snapshot_support,
            "mount_snapshot_support": self.mount_snapshot_support,
            **self.capabilities,
        }
        result = []
        for pool in self.pools:
            caps = {**backend, **pool.capabilities}
            caps.update({
                "pool_name": pool.pool_name,
                "total_capacity_gb": pool.total_capacity_gb,
                "free_capacity_gb": pool.free_capacity_gb,
                "allocated_capacity_gb": pool.allocated_capacity_gb,
                "reserved_percentage": pool.reserved_percentage,
                "thin_provisioning": pool.thin_provisioning,
                "max_over_subscription_ratio": pool.max_over_subscription_ratio,
            })
            if pool.provisioned_capacity_gb is not None:
                caps["provisioned_capacity_gb"] = pool.provisioned_capacity_gb
            result.append(caps)
        return result


@dataclass(frozen=True)
class Candidate:
    """One pool the scheduler found fit, as ``host@backend#pool``."""

    host: str
    weight: float

    @property
    def service_host(self) -> str:
        """The ``host@backend`` whose share service owns the pool."""
        return self.host.partition("#")[0]

    @property
    def pool(self) -> str:
        return self.host.partition("#")[2]


@dataclass(frozen=True)
class ShareGroupSpec:
    """What the scheduler needs to place a new share group: a pool every one of the
    group's share types may use, in the zone asked for, meeting the group specs."""

    share_group_id: str
    project_id: str
    share_types: tuple[ShareTypeSpec, ...]
    group_specs: dict[str, str] = field(default_factory=dict)
    availability_zone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShareGroupSpec:
        known = set(cls.__dataclass_fields__)
        values = {k: v for k, v in data.items() if k in known}
        values["share_types"] = tuple(ShareTypeSpec(**st)
                                      for st in data.get("share_types") or ())
        return cls(**values)
