"""The one module a storage driver imports: its base class and typed inputs/outputs.

A driver never sees the database. The share service hands it a ``ShareRequest`` and
persists the ``ShareResult`` it returns; a driver that cannot do something raises
``DriverError`` with a message a tenant may read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from oslo_config import cfg

from abaca.common.errors import DriverError
from abaca.common.types import BackendStats, PoolStats

__all__ = [
    "BackendConfig",
    "BackendStats",
    "DriverError",
    "ExportLocationInfo",
    "PoolStats",
    "ShareRequest",
    "ShareResult",
    "StorageDriver",
    "cfg",
]


@dataclass(frozen=True)
class BackendConfig:
    """What a driver knows of its backend: names, mode, and its own options."""

    name: str
    share_backend_name: str
    availability_zone: str
    driver_handles_share_servers: bool
    state_path: str
    options: Any  # the backend's oslo.config group: the driver reads its declared options


@dataclass(frozen=True)
class ShareRequest:
    """A share instance as the driver sees it."""

    instance_id: str
    share_id: str
    name: str
    size: int
    share_proto: str
    pool: str
    project_id: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportLocationInfo:
    path: str
    is_admin_only: bool = False
    preferred: bool = False


@dataclass(frozen=True)
class ShareResult:
    export_locations: tuple[ExportLocationInfo, ...]


class StorageDriver(ABC):
    """Shares and their capacity on one kind of storage."""

    #: the driver_handles_share_servers modes this driver supports
    supported_dhss: ClassVar[frozenset[bool]] = frozenset({False})

    def __init__(self, config: BackendConfig) -> None:
        self.config = config

    @classmethod
    def options(cls) -> list[cfg.Opt]:
        """The config options this driver reads from its backend group."""
        return []

    def do_setup(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Prepare the backend; raise DriverError if it cannot serve."""

    @abstractmethod
    def get_stats(self) -> BackendStats:
        """Capabilities and per-pool capacity, reported to the schedulers."""

    @abstractmethod
    def create_share(self, share: ShareRequest) -> ShareResult:
        """Create the share in ``share.pool`` and return where clients reach it."""

    @abstractmethod
    def delete_share(self, share: ShareRequest) -> None:
        """Delete the share; deleting one that does not exist succeeds."""

    @abstractmethod
    def ensure_share(self, share: ShareRequest) -> ShareResult:
        """Serve an existing share again after a restart; return its export locations."""
