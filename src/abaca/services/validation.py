"""Checks of request values, each raising Invalid (400) with a message naming the field."""

from __future__ import annotations

import re
from typing import Any

from abaca.common.errors import Invalid

_TRUE = {"true", "1", "yes", "y", "on", "t"}
_FALSE = {"false", "0", "no", "n", "off", "f"}
# Printable text without control characters (newlines, NUL, ...).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def boolean(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise Invalid(f"Invalid boolean value '{value}' for {field}: expected true or false.")


def positive_int(value: Any, field: str) -> int:
    """An integer >= 1; numeric strings are accepted as Manila does."""
    if isinstance(value, bool):
        raise Invalid(f"{field} must be an integer greater than 0, not {value!r}.")
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        value = int(value)
    if not isinstance(value, int) or value < 1 or value > 2**31 - 1:
        raise Invalid(f"{field} must be an integer greater than 0 and less than 2^31, "
                      f"not {value!r}.")
    return value


def text(value: Any, field: str, *, max_len: int = 255, allow_none: bool = True,
         allow_empty: bool = True) -> str | None:
    if value is None:
        if allow_none:
            return None
        raise Invalid(f"{field} must be given.")
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string, not {type(value).__name__}.")
    if len(value) > max_len:
        raise Invalid(f"{field} is longer than {max_len} characters.")
    if _CONTROL.search(value):
        raise Invalid(f"{field} must not contain control characters.")
    if not allow_empty and not value.strip():
        raise Invalid(f"{field} must not be empty.")
    return value


def metadata(value: Any, field: str = "metadata") -> dict[str, str]:
    """String keys (1-255) and string values (up to 1023), as Manila limits them."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{field} must be an object of string keys and values.")
    result: dict[str, str] = {}
    for key, val in value.items():
        if not isinstance(key, str) or not key or len(key) > 255 or _CONTROL.search(key):
            raise Invalid(f"{field} key {key!r} must be a string of 1 to 255 printable "
                          "characters.")
        if isinstance(val, bool | int | float) and not isinstance(val, bool):
            val = str(val)
        if not isinstance(val, str) or len(val) > 1023 or _CONTROL.search(val):
            raise Invalid(f"{field} value of '{key}' must be a string of at most 1023 "
                          "printable characters.")
        result[key] = val
    return result


def uuid_like(value: Any, field: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9A-Za-z\-]{1,36}", value):
        raise Invalid(f"{field} must be an id, not {value!r}.")
    return value


def only_keys(body: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(body) - allowed
    if unknown:
        raise Invalid(f"Unknown fields in {what}: {', '.join(sorted(unknown))}.")


def renames(body: dict[str, Any]) -> dict[str, str | None]:
    """The ``display_name`` / ``display_description`` an update body of ``name`` and
    ``description`` asks for (only the keys it has); any other key is a 400."""
    unknown = set(body) - {"name", "description"}
    if unknown:
        raise Invalid(f"The fields {', '.join(sorted(unknown))} are invalid or not "
                      "allowed to be updated.")
    return {f"display_{key}": text(body[key], key) for key in ("name", "description")
            if key in body}
