from __future__ import annotations

import pytest

from abaca.api import microversion as mv
from abaca.common.errors import Invalid, NotAcceptable, NotFound


@pytest.mark.parametrize(("header", "expected"), [
    (None, "2.0"), ("", "2.0"), ("2.0", "2.0"), ("2.9", "2.9"), (" 2.15 ", "2.15"),
    ("latest", str(mv.MAX_VERSION)),
])
def test_negotiate_accepts(header: str | None, expected: str) -> None:
    assert str(mv.negotiate(header)) == expected


@pytest.mark.parametrize("header", ["2", "2.x", "v2.1", "2.01.1", "-2.1", "2.-1"])
def test_negotiate_rejects_malformed_with_400(header: str) -> None:
    with pytest.raises(Invalid):
        mv.negotiate(header)


@pytest.mark.parametrize("header", ["1.0", "3.0", "2.999"])
def test_negotiate_rejects_out_of_range_with_406(header: str) -> None:
    with pytest.raises(NotAcceptable):
        mv.negotiate(header)


def test_versions_order_numerically() -> None:
    assert mv.v("2.10") > mv.v("2.9")
    assert mv.v("2.9") < mv.v("2.42") <= mv.MAX_VERSION


def test_require_gates_by_range() -> None:
    mv.require(mv.v("2.9"), "2.9")
    mv.require(mv.v("2.6"), "2.0", "2.6")
    with pytest.raises(NotFound):
        mv.require(mv.v("2.8"), "2.9")
    with pytest.raises(NotFound):
        mv.require(mv.v("2.7"), "2.0", "2.6")
