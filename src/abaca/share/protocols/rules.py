"""Access rules as protocol helpers receive them: already validated by the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class IpRule:
    """A client address or network (IPv4/IPv6 address or CIDR) and its access level."""

    address: str
    level: Literal["rw", "ro"]


@dataclass(frozen=True)
class UserRule:
    """A user name (CIFS) and its access level."""

    user: str
    level: Literal["rw", "ro"]
