"""Evaluating a pool's ``filter_function`` or ``goodness_function`` for one request.

The variables are Manila's: ``share.*`` (the request), ``host.*`` / ``stats.*`` (the
pool's capabilities with its live capacity figures on top), ``capabilities.*`` (the
pool's capabilities as reported) and ``extra.*`` (the share type's extra specs).
"""

from __future__ import annotations

import math
from typing import Any

from abaca.common.types import RequestSpec
from abaca.scheduler import expressions, request
from abaca.scheduler.host_state import UNKNOWN, PoolState


def function_of(pool: PoolState, key: str) -> str | None:
    """The pool's function ``key`` as text; None when it has none."""
    value = pool.capabilities.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _capacity(value: float | None) -> float | str:
    return UNKNOWN if value is None else value


def host_stats(pool: PoolState) -> dict[str, Any]:
    """What ``host.*`` reads: the capabilities, updated by what was placed since."""
    stats = dict(pool.capabilities)
    stats.update({
        "host": pool.name,
        "service_host": pool.service_host,
        "pool_name": pool.pool_name,
        "total_capacity_gb": _capacity(pool.total_capacity_gb),
        "free_capacity_gb": _capacity(pool.free_capacity_gb),
        "allocated_capacity_gb": pool.allocated_capacity_gb,
        "provisioned_capacity_gb": pool.provisioned_capacity_gb,
        "reserved_percentage": pool.reserved_percentage,
        "reserved_snapshot_percentage": pool.reserved_snapshot_percentage,
        "reserved_share_extend_percentage": pool.reserved_share_extend_percentage,
        "thin_provisioning": pool.thin_provisioning,
        "max_over_subscription_ratio": pool.max_over_subscription_ratio,
    })
    return stats


def share_properties(spec: RequestSpec) -> dict[str, Any]:
    """What ``share.*`` reads (for an extend, ``size`` is the increase)."""
    return {
        "id": spec.share_id,
        "share_id": spec.share_id,
        "instance_id": spec.instance_id,
        "project_id": spec.project_id,
        "size": spec.size,
        "share_proto": spec.share_proto,
        "availability_zone": spec.availability_zone,
        "snapshot_id": spec.snapshot_id,
        "share_type_id": spec.share_type.id if spec.share_type else None,
        "share_type_name": spec.share_type.name if spec.share_type else None,
        "operation": request.operation_of(spec),
    }


def variables(pool: PoolState, spec: RequestSpec) -> dict[str, dict[str, Any]]:
    return {
        "share": share_properties(spec),
        "host": host_stats(pool),
        "capabilities": pool.capabilities,
        "extra": request.extra_specs(spec),
    }


def evaluate(text: str, pool: PoolState, spec: RequestSpec) -> Any:
    """The value of ``text`` for ``pool`` and ``spec``; ExpressionError on any problem."""
    expression = expressions.compile_expression(text)
    result = expression.evaluate(variables(pool, spec))
    if isinstance(result, float) and math.isnan(result):
        raise expressions.ExpressionError("the result is not a number")
    return result
