"""The CIFS users file of the local driver: ``name:password`` lines."""

from __future__ import annotations

import re
from pathlib import Path

from abaca.common.errors import DriverError

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,31}")


def read_users_file(path: Path) -> dict[str, str]:
    users: dict[str, str] = {}
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise DriverError(f"cannot read CIFS users file {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, password = line.partition(":")
        if not sep or not _NAME.fullmatch(name) or ".." in name or not password \
                or any(c in password for c in "\n\r\0"):
            raise DriverError(f"{path}:{number}: expected name:password")
        users[name] = password
    return users
