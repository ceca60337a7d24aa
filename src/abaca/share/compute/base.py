"""ComputeHelper: supplies share servers (or none) to a backend."""

from __future__ import annotations

from abc import ABC
from typing import ClassVar


class ComputeHelper(ABC):  # noqa: B024 - implementations override what they support
    #: whether this helper creates share servers (driver_handles_share_servers = True)
    provides_share_servers: ClassVar[bool] = False
