"""Keep pools in the availability zone the request asks for."""

from __future__ import annotations

from abaca.common.types import RequestSpec
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

# Share-type extra spec restricting a type to some zones (comma-separated, Manila's).
TYPE_ZONES_KEY = "availability_zones"


class AvailabilityZoneFilter(BaseFilter):
    """The pool's zone must be the requested one and one the share type allows.

    No zone requested and no zone list on the type means any zone will do; a share
    network without a default subnet limits the zones to those of its subnets.
    """

    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        zone = pool.capabilities.get("availability_zone")
        if spec.availability_zone and zone != spec.availability_zone:
            return False
        if spec.network_zones is not None and zone not in spec.network_zones:
            return False  # the share network reaches no further
        specs = spec.share_type.extra_specs if spec.share_type else {}
        allowed = {z.strip() for z in specs.get(TYPE_ZONES_KEY, "").split(",") if z.strip()}
        return not allowed or zone in allowed
