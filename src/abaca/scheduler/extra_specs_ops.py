"""Does a pool's capability satisfy a share type's extra-spec requirement?

A requirement is either a bare value (equality) or ``<operator> operand``. The syntax
and the operators are Manila's, so that share types written for Manila schedule the
same way here:

=========  ==================================================================
``v``      equality; a boolean capability takes ``v`` as a boolean (yes, 1, on ...)
``= n``    numeric, capability >= n (Manila's historical meaning of ``=``)
``== n``   numeric equality; ``!= n``, ``>= n``, ``<= n`` likewise
``s== v``  string comparison; ``s!=``, ``s<``, ``s<=``, ``s>``, ``s>=`` likewise
``<in> v`` the capability contains ``v`` as a substring
``<is> b`` both are booleans and equal
``<or> a <or> b ...``  equality with any of the listed values
``<all-in> a b ...``   the capability (a list) contains every listed value
=========  ==================================================================

Everything is compared case-insensitively. A list capability (``[True, False]`` for a
pool that can do both) matches when any of its elements does, except under
``<all-in>`` which looks at the list as a whole. A value an operator cannot interpret
(a word under a numeric operator, ``maybe`` under ``<is>``) does not match: a bad share
type must keep a share off a pool, never crash the scheduler.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})


def to_bool(value: Any) -> bool | None:
    """``value`` as a boolean, or None when it is not recognisably one."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _to_number(value: Any) -> float | None:
    # A boolean is not a number here: "snapshot_support >= 1" should not match True.
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _to_text(value: Any) -> str:
    return str(value).strip().lower()


def _equals(value: Any, wanted: str) -> bool:
    """Equality of a capability with a requirement word, by the capability's type."""
    if isinstance(value, bool):
        return to_bool(wanted) is value
    if isinstance(value, int | float):
        # 10 and 10.0 (and "10") are the same capacity, whatever JSON made of them.
        number = _to_number(wanted)
        if number is not None:
            return float(value) == number
    return _to_text(value) == wanted


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[Any, str], bool]:
    def check(value: Any, operand: str) -> bool:
        left, right = _to_number(value), _to_number(operand)
        return left is not None and right is not None and compare(left, right)

    return check


def _textual(compare: Callable[[str, str], bool]) -> Callable[[Any, str], bool]:
    def check(value: Any, operand: str) -> bool:
        return compare(_to_text(value), operand)

    return check


def _is(value: Any, operand: str) -> bool:
    left, right = to_bool(value), to_bool(operand)
    return left is not None and left is right


def _contains(value: Any, operand: str) -> bool:
    return operand in _to_text(value)


# Operators that take exactly one operand.
_BINARY: dict[str, Callable[[Any, str], bool]] = {
    "=": _numeric(operator.ge),
    "==": _numeric(operator.eq),
    "!=": _numeric(operator.ne),
    ">=": _numeric(operator.ge),
    "<=": _numeric(operator.le),
    "s==": _textual(operator.eq),
    "s!=": _textual(operator.ne),
    "s<": _textual(operator.lt),
    "s<=": _textual(operator.le),
    "s>": _textual(operator.gt),
    "s>=": _textual(operator.ge),
    "<in>": _contains,
    "<is>": _is,
}
_OR = "<or>"
_ALL_IN = "<all-in>"
OPERATORS = frozenset({*_BINARY, _OR, _ALL_IN})


def match(capability_value: Any, requirement: str) -> bool:
    """True when ``capability_value`` satisfies the extra-spec ``requirement``."""
    wanted = str(requirement).strip().lower()
    words = wanted.split()
    op = words[0] if words and words[0] in OPERATORS else None
    if op == _ALL_IN:
        return _all_in(capability_value, words[1:])
    if isinstance(capability_value, list | tuple | set | frozenset):
        return any(match(element, requirement) for element in capability_value)
    if capability_value is None:
        return False
    if op is None:
        return _equals(capability_value, wanted)
    if op == _OR:
        # "<or> a <or> b": every other word is an alternative.
        return any(_equals(capability_value, word) for word in words[1::2])
    # Manila compares against the first operand only; a missing operand never matches.
    return len(words) > 1 and _BINARY[op](capability_value, words[1])


def _all_in(capability_value: Any, wanted: list[str]) -> bool:
    if not wanted or capability_value is None:
        return False
    elements = (capability_value if isinstance(capability_value, list | tuple | set | frozenset)
                else [capability_value])
    return all(any(_equals(element, word) for element in elements) for word in wanted)
