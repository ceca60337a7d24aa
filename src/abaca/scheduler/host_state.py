"""What the scheduler believes about one pool, between two reports of its share service.

Capacities arrive as numbers or as Manila's words ``"unknown"`` (the driver cannot
tell) and ``"infinite"`` (it never runs out). They are kept as ``None`` and ``math.inf``
so that the capacity code does arithmetic on floats only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from abaca.common.types import RequestSpec
from abaca.scheduler import extra_specs_ops

UNKNOWN = "unknown"
INFINITE = "infinite"


def parse_capacity(value: Any) -> float | None:
    """A reported capacity in GiB: ``None`` when unknown, ``math.inf`` when infinite."""
    if value is None or (isinstance(value, str) and value.strip().lower() == UNKNOWN):
        return None
    if isinstance(value, str) and value.strip().lower() == INFINITE:
        return math.inf
    if isinstance(value, bool):
        raise ValueError(f"capacity {value!r} is not a number")
    number = float(value)  # raises ValueError on garbage: the report is rejected
    if math.isnan(number) or number < 0:
        raise ValueError(f"capacity {value!r} is not a non-negative number")
    return number


# Which reserve keeps space back from which operation (Manila's three percentages).
RESERVE_KEYS = {
    "create": "reserved_percentage",
    "create_from_snapshot": "reserved_snapshot_percentage",
    "extend": "reserved_share_extend_percentage",
}


def _percentage(capabilities: dict[str, Any], key: str) -> float:
    value = float(capabilities.get(key, 0) or 0)
    if not 0 <= value <= 100:
        raise ValueError(f"{key} {value} is not within 0..100")
    return value


def _reports_thin(value: Any) -> bool:
    # A pool that can do both reports [True, False]: it can thin-provision.
    values = value if isinstance(value, list | tuple) else [value]
    return any(extra_specs_ops.to_bool(v) is True for v in values)


@dataclass
class PoolState:
    """One pool, ``host@backend#pool``, as last reported plus what we placed on it since."""

    service_host: str
    pool_name: str
    capabilities: dict[str, Any]
    total_capacity_gb: float | None
    free_capacity_gb: float | None
    allocated_capacity_gb: float
    provisioned_capacity_gb: float
    reserved_percentage: float
    thin_provisioning: bool
    max_over_subscription_ratio: float
    updated_at: float
    reserved_snapshot_percentage: float = 0.0
    reserved_share_extend_percentage: float = 0.0

    @classmethod
    def from_report(cls, service_host: str, capabilities: dict[str, Any],
                    updated_at: float) -> PoolState:
        """Build from one pool dict of a share service's report; ValueError if malformed."""
        pool_name = capabilities.get("pool_name")
        if not isinstance(pool_name, str) or not pool_name or "#" in pool_name:
            raise ValueError(f"pool_name {pool_name!r} is not a valid pool name")
        allocated = parse_capacity(capabilities.get("allocated_capacity_gb", 0)) or 0.0
        # Manila counts what is allocated as provisioned when a driver does not say.
        provisioned = parse_capacity(capabilities.get("provisioned_capacity_gb", allocated))
        reserves = {key: _percentage(capabilities, key) for key in RESERVE_KEYS.values()}
        ratio = float(capabilities.get("max_over_subscription_ratio", 1.0) or 1.0)
        return cls(
            service_host=service_host,
            pool_name=pool_name,
            capabilities=dict(capabilities),
            total_capacity_gb=parse_capacity(capabilities.get("total_capacity_gb")),
            free_capacity_gb=parse_capacity(capabilities.get("free_capacity_gb")),
            allocated_capacity_gb=allocated,
            provisioned_capacity_gb=provisioned if provisioned is not None else allocated,
            reserved_percentage=reserves["reserved_percentage"],
            thin_provisioning=_reports_thin(capabilities.get("thin_provisioning", False)),
            max_over_subscription_ratio=ratio,
            updated_at=updated_at,
            reserved_snapshot_percentage=reserves["reserved_snapshot_percentage"],
            reserved_share_extend_percentage=reserves["reserved_share_extend_percentage"],
        )

    @property
    def name(self) -> str:
        return f"{self.service_host}#{self.pool_name}"

    @property
    def capacity_known(self) -> bool:
        return self.total_capacity_gb is not None and self.free_capacity_gb is not None

    @property
    def capacity_infinite(self) -> bool:
        return math.inf in (self.total_capacity_gb, self.free_capacity_gb)

    def reserved_percentage_for(self, operation: str) -> float:
        """The reserve that applies to ``operation`` (see ``RESERVE_KEYS``)."""
        key = RESERVE_KEYS.get(operation, "reserved_percentage")
        return float(getattr(self, key))

    def reserved_gb(self, operation: str = "create") -> float:
        """What the reserve of ``operation`` keeps back (total must be known and finite)."""
        assert self.total_capacity_gb is not None
        return self.total_capacity_gb * self.reserved_percentage_for(operation) / 100

    @property
    def replication_domain(self) -> str | None:
        domain = self.capabilities.get("replication_domain")
        return str(domain) if domain not in (None, "") else None

    @property
    def availability_zone(self) -> str | None:
        zone = self.capabilities.get("availability_zone")
        return str(zone) if zone not in (None, "") else None

    def uses_thin_provisioning(self, spec: RequestSpec) -> bool:
        """Thin for this request: the pool can do it and the share type does not forbid it.

        A ratio below 1 would make thin stricter than thick; Manila then checks thick.
        """
        if not self.thin_provisioning or self.max_over_subscription_ratio < 1:
            return False
        specs = spec.share_type.extra_specs if spec.share_type else {}
        for key in ("thin_provisioning", "capabilities:thin_provisioning"):
            if key in specs:
                words = specs[key].split()
                # "<is> False" says the same as "False".
                value = words[-1] if words else ""
                if extra_specs_ops.to_bool(value) is False:
                    return False
        return True

    def consume(self, size_gb: float) -> None:
        """Count a share just placed here until the next report says what really happened.

        Without this, every request scheduled between two reports would see the same
        free space and the same nearly full pool would win them all.
        """
        if self.free_capacity_gb is not None:
            self.free_capacity_gb = max(self.free_capacity_gb - size_gb, 0.0)
        self.allocated_capacity_gb += size_gb
        self.provisioned_capacity_gb += size_gb
