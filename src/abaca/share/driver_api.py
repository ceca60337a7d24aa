"""The one module a storage driver imports: its base class and typed inputs/outputs.

A driver never sees the database. The share service hands it a ``ShareRequest`` and
persists the ``ShareResult`` it returns; a driver that cannot do something raises
``DriverError`` with a message a tenant may read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from oslo_config import cfg

from abaca.common.errors import DriverError
from abaca.common.types import BackendStats, PoolStats

__all__ = [
    "AccessRule",
    "BackendConfig",
    "BackendStats",
    "DriverError",
    "ExportLocationInfo",
    "ManageSupport",
    "ManagedShare",
    "PoolStats",
    "ResizeSupport",
    "ShareRequest",
    "ShareResult",
    "ShrinkWouldLoseData",
    "SnapshotRequest",
    "SnapshotResult",
    "SnapshotSupport",
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


@dataclass(frozen=True)
class AccessRule:
    """One rule as the API validated it: ``access_to`` is safe for config files."""

    id: str
    access_type: str  # "ip" or "user"
    access_to: str
    access_level: str  # "rw" or "ro"


@dataclass(frozen=True)
class SnapshotRequest:
    snapshot_id: str
    name: str
    share: ShareRequest
    size: int
    provider_location: str | None = None


@dataclass(frozen=True)
class SnapshotResult:
    provider_location: str
    size: int


@dataclass(frozen=True)
class ManagedShare:
    """What the driver found when it adopted an existing share."""

    size: int
    result: ShareResult


class ShrinkWouldLoseData(DriverError):
    """The share holds more data than the new size: nothing was changed."""

    default_message = "The share holds more data than the requested size."


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

    def shutdown(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Release what do_setup took (the share service is stopping gracefully)."""

    def needs_resync(self) -> bool:
        """True once after the backend lost state (a protocol server restarted): the
        share service then serves every share again with its rules from the database."""
        return False

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

    @abstractmethod
    def update_access(self, share: ShareRequest, rules: Sequence[AccessRule],
                      add: Sequence[AccessRule], delete: Sequence[AccessRule]) -> dict[str, str]:
        """Make the share's access match ``rules`` (the whole wanted list).

        ``add`` and ``delete`` say what changed; both empty means "make the backend
        match ``rules`` exactly" (recovery). Returns ``{rule_id: "error"}`` for rules it
        could not apply (e.g. an access type the protocol lacks); the others succeeded.
        """


class SnapshotSupport(ABC):
    """A driver that can snapshot, clone from snapshots and revert to them."""

    @abstractmethod
    def create_snapshot(self, snapshot: SnapshotRequest) -> SnapshotResult:
        """Take a read-only point-in-time copy of ``snapshot.share``."""

    @abstractmethod
    def delete_snapshot(self, snapshot: SnapshotRequest) -> None:
        """Delete it; deleting one that does not exist succeeds."""

    @abstractmethod
    def create_share_from_snapshot(self, share: ShareRequest,
                                   snapshot: SnapshotRequest) -> ShareResult:
        """A new writable share holding the snapshot's content."""

    @abstractmethod
    def revert_to_snapshot(self, share: ShareRequest, snapshot: SnapshotRequest,
                           rules: Sequence[AccessRule]) -> None:
        """Make the share's content the snapshot's again; afterwards it must be served
        with exactly ``rules`` (its active access rules)."""


class ResizeSupport(ABC):
    @abstractmethod
    def extend_share(self, share: ShareRequest, new_size: int) -> None:
        """Grow the share to ``new_size`` GiB."""

    @abstractmethod
    def shrink_share(self, share: ShareRequest, new_size: int) -> None:
        """Shrink to ``new_size`` GiB; raise ShrinkWouldLoseData if it holds more."""


class ManageSupport(ABC):
    @abstractmethod
    def manage_existing(self, share: ShareRequest, export_path: str,
                        driver_options: dict[str, str]) -> ManagedShare:
        """Adopt existing storage found from ``export_path`` as ``share``."""

    @abstractmethod
    def unmanage(self, share: ShareRequest) -> None:
        """Stop managing the share: stop exporting it but keep its data."""

    @abstractmethod
    def manage_existing_snapshot(self, snapshot: SnapshotRequest,
                                 driver_options: dict[str, str]) -> SnapshotResult:
        """Adopt the snapshot at ``snapshot.provider_location``."""

    @abstractmethod
    def unmanage_snapshot(self, snapshot: SnapshotRequest) -> None:
        """Forget the snapshot, keeping its data."""
