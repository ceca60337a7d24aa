"""Keep pools whose capabilities satisfy every extra spec of the share type."""

from __future__ import annotations

import logging

from abaca.common.types import RequestSpec
from abaca.scheduler import extra_specs_ops
from abaca.scheduler.filters.base import BaseFilter
from abaca.scheduler.host_state import PoolState

LOG = logging.getLogger(__name__)

CAPABILITIES_SCOPE = "capabilities"
# Unscoped keys that are instructions to other filters, not capabilities to match.
NOT_CAPABILITIES = frozenset({"availability_zones"})


def required_capabilities(extra_specs: dict[str, str]) -> dict[str, str]:
    """The extra specs a pool must match, with the ``capabilities:`` scope removed.

    Other scopes (``provisioning:max_share_size``, ``vendor:foo``) are for the API or a
    driver, so a pool need not report them.
    """
    required: dict[str, str] = {}
    for key, value in extra_specs.items():
        scope, sep, rest = key.partition(":")
        if sep:
            if scope == CAPABILITIES_SCOPE and rest:
                required[rest] = value
        elif key not in NOT_CAPABILITIES:
            required[key] = value
    return required


class CapabilitiesFilter(BaseFilter):
    def passes(self, pool: PoolState, spec: RequestSpec) -> bool:
        specs = spec.share_type.extra_specs if spec.share_type else {}
        for key, requirement in required_capabilities(specs).items():
            if key not in pool.capabilities:
                LOG.debug("pool %s lacks capability %s", pool.name, key)
                return False
            if not extra_specs_ops.match(pool.capabilities[key], requirement):
                LOG.debug("pool %s: %s=%r does not satisfy '%s'", pool.name, key,
                          pool.capabilities[key], requirement)
                return False
        return True
