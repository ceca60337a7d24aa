"""Weighers rank the pools that passed the filters; the scheduler sums their opinions.

Each weigher's raw weights are normalised min-max to 0..1 across the pools being
ranked, so that a weigher counting GiB and one counting percent weigh alike, then
scaled by the weigher's multiplier (negative to prefer low raw weights) and summed.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from abaca.common.types import RequestSpec
from abaca.scheduler.host_state import PoolState


class BaseWeigher(abc.ABC):
    """A weigher is built with no arguments, once, when the scheduler starts."""

    @property
    def name(self) -> str:
        return type(self).__name__

    @abc.abstractmethod
    def weigh(self, pool: PoolState, spec: RequestSpec) -> float | None:
        """Raw weight of ``pool``, higher is better before the multiplier.

        ``math.inf`` ranks above every finite weight. ``None`` means the weigher cannot
        rank the pool: it then ranks below every pool it can, whatever the multiplier.
        """

    def multiplier(self, conf: Any) -> float:
        return 1.0


@dataclass(frozen=True)
class WeighedPool:
    pool: PoolState
    weight: float


def normalise(raw: Sequence[float]) -> list[float]:
    """Min-max to 0..1; infinities become one step beyond the finite extremes."""
    finite = [w for w in raw if math.isfinite(w)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 0.0)
    bounded = [high + 1 if w == math.inf else low - 1 if w == -math.inf else w for w in raw]
    low, high = min(bounded, default=0.0), max(bounded, default=0.0)
    if high == low:
        # All alike: this weigher has no preference, so it must not add one.
        return [0.0 for _ in bounded]
    return [(w - low) / (high - low) for w in bounded]


def weigh_pools(weighers: Sequence[BaseWeigher], pools: Sequence[PoolState],
                spec: RequestSpec, conf: Any) -> list[WeighedPool]:
    """The pools with their summed weights, best first (ties by name, for stable tests)."""
    totals = [0.0] * len(pools)
    for weigher in weighers:
        multiplier = weigher.multiplier(conf)
        raw = [weigher.weigh(pool, spec) for pool in pools]
        known = [i for i, w in enumerate(raw) if w is not None]
        scaled = normalise([w for w in raw if w is not None])
        for i, value in zip(known, scaled, strict=True):
            totals[i] += multiplier * value
        # Below the worst a known pool can score: 0 when multiplying up, ``multiplier``
        # when multiplying down, so unknown pools come last either way.
        unranked = min(0.0, multiplier) - abs(multiplier)
        for i, w in enumerate(raw):
            if w is None:
                totals[i] += unranked
    ranked = [WeighedPool(pool, weight) for pool, weight in zip(pools, totals, strict=True)]
    return sorted(ranked, key=lambda wp: (-wp.weight, wp.pool.name))
