from __future__ import annotations

from typing import Any

import pytest

from abaca.scheduler.extra_specs_ops import match, to_bool

CASES: list[tuple[Any, str, bool]] = [
    # no operator: equality, case-insensitive
    ("NFS", "nfs", True),
    ("nfs", "NFS", True),
    ("nfs", "cifs", False),
    ("dummy backend", "Dummy Backend", True),
    # no operator, boolean capability: the requirement is read as a boolean
    (True, "True", True),
    (True, "yes", True),
    (True, "1", True),
    (True, "on", True),
    (False, "false", True),
    (False, "no", True),
    (False, "0", True),
    (True, "false", False),
    (False, "true", False),
    (True, "maybe", False),
    # no operator, number: numeric equality whatever JSON made of it
    (10, "10", True),
    (10.0, "10", True),
    (10, "10.5", False),
    (10, "ten", False),
    # = is Manila's "at least"
    (10, "= 10", True),
    (11, "= 10", True),
    (9, "= 10", False),
    ("12", "= 10", True),
    # numeric ==, !=, >=, <=
    (10, "== 10", True),
    (10, "== 10.0", True),
    (10, "== 11", False),
    (10, "!= 11", True),
    (10, "!= 10", False),
    (10, ">= 10", True),
    (10, ">= 10.5", False),
    (10, "<= 10", True),
    (10, "<= 9", False),
    # non-numeric under numeric operators: never matches, never raises
    ("abc", "== 1", False),
    ("abc", "!= 1", False),
    (10, ">= abc", False),
    ("abc", "= 1", False),
    (True, ">= 1", False),
    (None, "== 1", False),
    # string operators, case-insensitive
    ("abc", "s== ABC", True),
    ("abc", "s== abd", False),
    ("abc", "s!= abd", True),
    ("abc", "s!= ABC", False),
    ("abc", "s< abd", True),
    ("abd", "s< abc", False),
    ("abc", "s<= abc", True),
    ("abd", "s<= abc", False),
    ("abd", "s> abc", True),
    ("abc", "s> abc", False),
    ("abc", "s>= abc", True),
    ("abb", "s>= abc", False),
    # string comparison is lexical, not numeric
    ("9", "s< 10", False),
    # <in>: substring
    ("NFS_CIFS", "<in> cifs", True),
    ("NFS", "<in> cifs", False),
    # <is>: boolean
    (True, "<is> True", True),
    (True, "<is> yes", True),
    (False, "<is> False", True),
    (False, "<is> True", False),
    ("true", "<is> true", True),
    ("maybe", "<is> False", False),
    (True, "<is> maybe", False),
    # <or>: any listed value
    ("nfs", "<or> cifs <or> NFS", True),
    ("glusterfs", "<or> cifs <or> nfs", False),
    (True, "<or> false <or> true", True),
    (5, "<or> 4 <or> 5", True),
    # <all-in>: a list capability contains every listed value
    (["NFS", "CIFS"], "<all-in> nfs cifs", True),
    (["NFS", "CIFS"], "<all-in> nfs", True),
    (["NFS"], "<all-in> nfs cifs", False),
    ("nfs", "<all-in> nfs", True),
    (["NFS"], "<all-in>", False),
    # list capability: any element may match
    ([True, False], "False", True),
    ([True, False], "<is> true", True),
    ([True], "<is> false", False),
    (["a", "b"], "s== B", True),
    ([], "a", False),
    # an operator without its operand never matches
    ("x", "s==", False),
    (True, "<is>", False),
    # missing capability value
    (None, "x", False),
]


@pytest.mark.parametrize(("capability", "requirement", "expected"), CASES)
def test_match(capability: Any, requirement: str, expected: bool) -> None:
    assert match(capability, requirement) is expected


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), ("YES", True), ("off", False), ("1", True), (0, False),
    ("maybe", None), ("", None),
])
def test_to_bool(value: Any, expected: bool | None) -> None:
    assert to_bool(value) is expected
