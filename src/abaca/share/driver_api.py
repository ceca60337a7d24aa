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
    "BackendObject",
    "BackendStats",
    "DriverError",
    "ExportLocationInfo",
    "GroupSupport",
    "InventorySupport",
    "ManageSupport",
    "ManagedShare",
    "PoolStats",
    "ReplicaResult",
    "ReplicationSupport",
    "ResizeSupport",
    "ShareGroupRequest",
    "ShareRequest",
    "ShareResult",
    "ShareServer",
    "ShareServerSupport",
    "ShrinkWouldLoseData",
    "SnapshotMountSupport",
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
class ShareServer:
    """A share server as the driver sees it (DHSS=True): where its shares are served.

    ``addresses`` are the network helper's allocations, first the one exports name;
    ``network_namespace`` is set when the compute helper made the server a network
    namespace of this host (``netns``): the driver runs the server's daemons in it.
    ``details`` are the backend details the compute helper recorded.
    """

    id: str
    addresses: tuple[str, ...]
    network_namespace: str | None = None
    details: dict[str, str] = field(default_factory=dict)


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
    #: the share server the share lives on (DHSS=True), else None
    share_server: ShareServer | None = None
    #: where the instance is, ``host@backend#pool`` ("" before it is placed): lets a
    #: replicating driver find the backend of another replica
    host: str = ""


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
class ShareGroupRequest:
    """A share group as the driver sees it: its pool and the shares it holds."""

    group_id: str
    pool: str
    project_id: str
    shares: tuple[ShareRequest, ...] = ()


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
    #: compute helpers (entry point names) this driver works with (None: any); another is
    #: refused at start. A DHSS=True driver must also implement ShareServerSupport.
    supported_compute_helpers: ClassVar[frozenset[str] | None] = None

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


class ShareServerSupport(ABC):
    """A driver that serves shares from share servers (driver_handles_share_servers).

    Every method may be called again after a crash at any point and must then finish
    the job (or find it done).
    """

    @abstractmethod
    def setup_server(self, server: ShareServer) -> dict[str, str]:
        """Start serving from a new server; return backend details to record."""

    @abstractmethod
    def ensure_server(self, server: ShareServer) -> None:
        """Serve from an existing server again (the share service restarted)."""

    @abstractmethod
    def teardown_server(self, server: ShareServer) -> None:
        """Stop everything the driver runs for the server; its shares are gone."""


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


class SnapshotMountSupport(ABC):
    """A driver that exports snapshots read-only (mountable snapshots, API 2.32); it
    reports ``mount_snapshot_support`` True. A snapshot of a share whose type asks for
    ``mount_snapshot_support`` is exported right after it is taken, with no rule."""

    @abstractmethod
    def export_snapshot(self, snapshot: SnapshotRequest) -> ShareResult:
        """Export the snapshot (refusing every client) and return where it is."""

    @abstractmethod
    def snapshot_update_access(self, snapshot: SnapshotRequest,
                               rules: Sequence[AccessRule]) -> dict[str, str]:
        """Serve the snapshot to exactly ``rules`` (all ``ro``); returns
        ``{rule id: "error"}`` for the rules it cannot apply."""

    @abstractmethod
    def unexport_snapshot(self, snapshot: SnapshotRequest) -> None:
        """Stop serving it; one not exported succeeds."""


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


@dataclass(frozen=True)
class ReplicaResult:
    """A replica after a driver call: where clients reach it and how current it is
    (``replica_state``: "active", "in_sync", "out_of_sync" or "error")."""

    replica_state: str
    export_locations: tuple[ExportLocationInfo, ...] = ()


class ReplicationSupport(ABC):
    """A driver that keeps replicas of a share on backends of its ``replication_domain``.

    It reports ``replication_type`` (writable, readable or dr) and ``replication_domain``
    with its pools. Every call goes to the share service of the replica concerned; the
    active replica may be on another backend of the same domain, so ``active`` says
    where it is (its ``pool`` and ``name``). ``rules`` are what the replica must serve:
    read-only for a readable replica, none for a dr replica that is not active.
    """

    @abstractmethod
    def create_replica(self, active: ShareRequest, replica: ShareRequest,
                       rules: Sequence[AccessRule]) -> ReplicaResult:
        """Create ``replica`` as a copy of ``active``; usually "out_of_sync" at first."""

    @abstractmethod
    def delete_replica(self, active: ShareRequest | None, replica: ShareRequest) -> None:
        """Delete a non-active replica; deleting one that does not exist succeeds."""

    @abstractmethod
    def promote_replica(self, old_active: ShareRequest, replica: ShareRequest,
                        rules: Sequence[AccessRule]) -> ReplicaResult:
        """Make ``replica`` the active one (serving ``rules``, the share's rules as they
        are); the old active one becomes a replica of it."""

    @abstractmethod
    def update_replica_state(self, active: ShareRequest,
                             replica: ShareRequest) -> str:
        """Bring the replica up to date if needed and return its replica_state."""


class GroupSupport(ABC):
    """A driver that handles share groups natively.

    Without it a group is still served: it is a set of shares on one backend, and a
    group snapshot is a snapshot of each member taken one after the other (the driver
    needs SnapshotSupport for that). A driver with it takes the members' snapshots
    together, and reports ``consistent_snapshot_support`` to the scheduler.
    """

    #: "pool" (members on one pool are snapshotted together) or "host" (one backend)
    consistent_snapshot_support: ClassVar[str] = "pool"

    @abstractmethod
    def create_share_group(self, group: ShareGroupRequest) -> None:
        """Prepare the backend for a new (empty) group."""

    @abstractmethod
    def delete_share_group(self, group: ShareGroupRequest) -> None:
        """Release what create_share_group took; deleting a missing group succeeds."""

    @abstractmethod
    def create_share_group_snapshot(self, group: ShareGroupRequest,
                                    members: Sequence[SnapshotRequest]
                                    ) -> dict[str, SnapshotResult]:
        """Snapshot every member's share at one point in time; the result maps each
        member's ``snapshot_id`` to its snapshot. Raise DriverError if any fails (and
        leave none behind)."""

    @abstractmethod
    def delete_share_group_snapshot(self, group: ShareGroupRequest,
                                    members: Sequence[SnapshotRequest]) -> None:
        """Delete the members' snapshots; missing ones count as deleted."""


@dataclass(frozen=True)
class BackendObject:
    """Something a backend holds: ``kind`` "share" (a share's data), "snapshot" or
    "export" (a name served over NFS or CIFS); ``age`` in seconds when known."""

    kind: str
    name: str
    age: float | None = None


class InventorySupport(ABC):
    """A driver that can list what it holds, so that the share service's reconciler can
    find objects no database row owns (left by a crash) and remove them after a grace
    period. Names are the ones the driver was given (``ShareRequest.name``,
    ``SnapshotRequest.name`` or ``provider_location``)."""

    @abstractmethod
    def backend_objects(self) -> list[BackendObject]:
        """Every share, snapshot and export of this backend."""

    @abstractmethod
    def remove_backend_object(self, obj: BackendObject) -> None:
        """Remove an orphan (stop serving it; for data, delete it); a missing one is
        success."""
