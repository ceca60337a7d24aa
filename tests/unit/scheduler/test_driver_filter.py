"""DriverFilter and the variables a pool's functions see."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from abaca.common.types import RequestSpec
from abaca.scheduler import pool_functions
from abaca.scheduler.filters.driver import DriverFilter
from abaca.scheduler.host_state import PoolState

PoolFactory = Callable[..., PoolState]
SpecFactory = Callable[..., RequestSpec]

DRIVER_CASES: list[tuple[str, Any, int, bool]] = [
    ("no function", None, 10, True),
    ("empty function", "  ", 10, True),
    ("true", "share.size < 100", 10, True),
    ("false", "share.size < 100", 100, False),
    ("C-like operators", "share.size < 100 && !(capabilities.big == 1)", 10, True),
    ("number: non-zero passes", "share.size - 10", 11, True),
    ("number: zero fails", "share.size - 10", 10, False),
    ("live capacity", "host.free_capacity_gb >= share.size * 2", 25, True),
    ("live capacity fails", "host.free_capacity_gb >= share.size * 2", 26, False),
    ("stats alias", "stats.pool_name == 'p' and stats.host == 'h@b#p'", 1, True),
    ("extra specs", "extra.tier == 'gold'", 1, True),
    ("share type name", "share.share_type_name == 'type1'", 1, True),
    ("ternary", "share.size > 10 ? capabilities.big : true", 20, False),
    ("hostile", "__import__('os').system('false')", 1, False),
    ("dunder", "share.__class__", 1, False),
    ("unknown variable", "share.colour == 'red'", 1, False),
    ("string result", "'yes'", 1, False),
    ("type error", "share.size > 'big'", 1, False),
    ("not a string", 42, 1, True),  # a number is a (constant) expression
]


@pytest.mark.parametrize(("function", "size", "passes"), [c[1:] for c in DRIVER_CASES],
                         ids=[c[0] for c in DRIVER_CASES])
def test_driver_filter(make_pool: PoolFactory, make_spec: SpecFactory, function: Any,
                       size: int, passes: bool) -> None:
    caps: dict[str, Any] = {"free_capacity_gb": 50, "big": False}
    if function is not None:
        caps["filter_function"] = function
    pool = make_pool(**caps)
    spec = make_spec(size=size, extra_specs={"tier": "gold"})
    assert DriverFilter().passes(pool, spec) is passes


def test_driver_filter_logs_a_failing_function(make_pool: PoolFactory, make_spec: SpecFactory,
                                               caplog: pytest.LogCaptureFixture) -> None:
    pool = make_pool(filter_function="lambda: 1")
    with caplog.at_level(logging.WARNING, logger="abaca.scheduler.filters.driver"):
        assert DriverFilter().passes(pool, make_spec()) is False
    assert "h@b#p" in caplog.text
    assert "lambda" in caplog.text


def test_functions_see_consumed_capacity(make_pool: PoolFactory,
                                         make_spec: SpecFactory) -> None:
    pool = make_pool(free_capacity_gb=50, filter_function="host.free_capacity_gb > 30")
    assert DriverFilter().passes(pool, make_spec()) is True
    pool.consume(25)
    assert DriverFilter().passes(pool, make_spec()) is False


def test_variables(make_pool: PoolFactory, make_spec: SpecFactory) -> None:
    pool = make_pool(total_capacity_gb="unknown", free_capacity_gb="infinite",
                     reserved_share_extend_percentage=7)
    spec = make_spec(size=3, extra_specs={"a": "b"}, availability_zone="z",
                     snapshot_id="snap")
    variables = pool_functions.variables(pool, spec)
    assert variables["share"]["size"] == 3
    assert variables["share"]["operation"] == "create_from_snapshot"
    assert variables["share"]["availability_zone"] == "z"
    assert variables["host"]["total_capacity_gb"] == "unknown"
    assert variables["host"]["free_capacity_gb"] == float("inf")
    assert variables["host"]["reserved_share_extend_percentage"] == 7
    assert variables["host"]["storage_protocol"] == "NFS_CIFS"  # capabilities too
    assert variables["capabilities"] is pool.capabilities
    assert variables["extra"] == {"a": "b"}
    no_type = pool_functions.variables(pool, make_spec(extra_specs=None))
    assert no_type["extra"] == {}
    assert no_type["share"]["share_type_id"] is None
