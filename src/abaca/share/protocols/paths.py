"""The grammar of filesystem paths that reach a protocol server's config file."""

from __future__ import annotations

import re

from abaca.common.errors import Invalid

MAX_PATH_LENGTH = 4095  # MAXPATHLEN - 1: Ganesha's limit for Path and Pseudo, and Samba's
# Plain components only: no quotes, braces, semicolons, '%', '#', spaces or NUL.
_COMPONENT = re.compile(r"[A-Za-z0-9_.@+-]{1,255}")


def validate_path(value: str, what: str = "path") -> str:
    """An absolute path of plain components: no ``.``/``..``, ``//`` or trailing ``/``."""
    if not isinstance(value, str) or not value.startswith("/") or value == "/":
        raise Invalid(f"The {what} must be an absolute path below /.")
    if len(value) > MAX_PATH_LENGTH:
        raise Invalid(f"The {what} is longer than {MAX_PATH_LENGTH} characters.")
    for component in value[1:].split("/"):
        if component in (".", "..") or not _COMPONENT.fullmatch(component):
            raise Invalid(f"The {what} may only hold components of letters, digits and "
                          f"'_.@+-' (not '.' or '..').")
    return value
