"""NetworkHelper: allocates addresses for share servers (or none)."""

from __future__ import annotations

from abc import ABC
from typing import ClassVar


class NetworkHelper(ABC):  # noqa: B024 - implementations override what they support
    #: whether this helper hands out addresses for share servers
    allocates_addresses: ClassVar[bool] = False
