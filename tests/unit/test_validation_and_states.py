from __future__ import annotations

from typing import Any

import pytest

from abaca.common.errors import Invalid, InvalidStateTransition
from abaca.common.states import SHARE_TRANSITIONS, ShareStatus
from abaca.services import validation


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), ("true", True), ("False", False), ("1", True),
    ("no", False), (" YES ", True),
])
def test_boolean(value: Any, expected: bool) -> None:
    assert validation.boolean(value, "f") is expected


@pytest.mark.parametrize("value", ["maybe", "", None, 2, [], "tru"])
def test_boolean_rejects(value: Any) -> None:
    with pytest.raises(Invalid):
        validation.boolean(value, "f")


@pytest.mark.parametrize(("value", "expected"), [(1, 1), ("7", 7), (" 3 ", 3)])
def test_positive_int(value: Any, expected: int) -> None:
    assert validation.positive_int(value, "size") == expected


@pytest.mark.parametrize("value", [0, -1, "0", "abc", 1.5, True, None, 2**31, "1e3", [1]])
def test_positive_int_rejects(value: Any) -> None:
    with pytest.raises(Invalid):
        validation.positive_int(value, "size")


@pytest.mark.parametrize("value", ["a\nb", "tab\there", "nul\x00", "x" * 256, 5])
def test_text_rejects_control_characters_long_and_non_strings(value: Any) -> None:
    with pytest.raises(Invalid):
        validation.text(value, "name")


def test_text_accepts_unicode_and_none() -> None:
    assert validation.text("Ünïcødé share", "name") == "Ünïcødé share"
    assert validation.text(None, "name") is None
    with pytest.raises(Invalid):
        validation.text(None, "name", allow_none=False)


def test_metadata() -> None:
    assert validation.metadata({"a": "1", "n": 2}) == {"a": "1", "n": "2"}
    for bad in (["a"], {"": "x"}, {"k" * 256: "v"}, {"k": "v" * 1024}, {"k": {"x": 1}},
                {"k\n": "v"}, {"k": None}):
        with pytest.raises(Invalid):
            validation.metadata(bad)


def test_share_state_machine() -> None:
    ShareStatus.check("creating", "available")
    ShareStatus.check("available", "deleting")
    ShareStatus.check("deleting", "error_deleting")
    for current, new in (("creating", "deleted"), ("deleted", "available"),
                         ("available", "creating"), ("error_deleting", "available")):
        with pytest.raises(InvalidStateTransition):
            ShareStatus.check(current, new)
    assert set(SHARE_TRANSITIONS) == {s.value for s in ShareStatus}


@pytest.mark.parametrize(("value", "expected"), [
    ("198.18.0.5", "198.18.0.5"), ("198.18.0.0/24", "198.18.0.0/24"),
    ("198.18.0.5/32", "198.18.0.5/32"), ("0.0.0.0/0", "0.0.0.0/0"),
    ("2001:DB8::/64", "2001:db8::/64"),
])
def test_ip_rules_in_canonical_form(value: str, expected: str) -> None:
    from abaca.services.access_grammar import check_ip

    assert check_ip(value, allow_ipv6=True) == expected


@pytest.mark.parametrize("value", ["198.18.0.5\n", " 198.18.0.5", "198.18.0.1/24",
                                   "2001:db8::/100", "2001:db8::/127", "0.0.0.0", "::",
                                   "198.18.0.0/33", "a.b.c.d", "198.18.0.5;x", "", None, 5])
def test_ip_rules_refused(value: object) -> None:
    from abaca.services.access_grammar import check_ip

    with pytest.raises(Invalid):
        check_ip(value, allow_ipv6=True)


@pytest.mark.parametrize("value", ["alice\n", "al ice", "a..b", "-a", ".a", "a;b", "a" * 33,
                                   "", "{a}", "a\x00", None])
def test_user_rules_refused(value: object) -> None:
    from abaca.services.access_grammar import check_user

    with pytest.raises(Invalid):
        check_user(value)
