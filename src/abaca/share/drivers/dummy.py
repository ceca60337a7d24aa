"""The dummy storage driver: no storage, for API tests, error paths and scale runs.

Pools and their sizes come from config; every method can be slowed down
(``dummy_method_delays``) or made to fail (``dummy_fail_methods``). It keeps the shares
it holds in memory; the share service re-registers them with ``ensure_share`` at start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from abaca.share.driver_api import (
    AccessRule,
    BackendConfig,
    BackendStats,
    DriverError,
    ExportLocationInfo,
    ManagedShare,
    ManageSupport,
    PoolStats,
    ReplicaResult,
    ReplicationSupport,
    ResizeSupport,
    ShareRequest,
    ShareResult,
    ShareServer,
    ShareServerSupport,
    SnapshotMountSupport,
    SnapshotRequest,
    SnapshotResult,
    SnapshotSupport,
    StorageDriver,
    cfg,
)

OPTS = [
    cfg.ListOpt("dummy_pools", default=["pool0:1000"],
                help="Pools as name:total_gb."),
    cfg.StrOpt("dummy_export_address", default="198.18.0.10",
               help="Address written into (fake) export locations."),
    cfg.FloatOpt("dummy_default_delay", default=0.0, min=0,
                 help="Seconds every driver method sleeps."),
    cfg.DictOpt("dummy_method_delays", default={},
                help="Per-method delays in seconds, e.g. create_share:2,delete_share:1."),
    cfg.ListOpt("dummy_fail_methods", default=[],
                help="Methods that raise a driver error, e.g. create_share."),
    cfg.BoolOpt("dummy_thin_provisioning", default=False,
                help="Report the pools as thinly provisioned."),
    cfg.FloatOpt("dummy_max_over_subscription_ratio", default=20.0, min=1.0,
                 help="Over-subscription ratio reported for thin pools."),
    cfg.DictOpt("dummy_capabilities", default={},
                help="Extra capabilities reported for every pool, e.g. "
                     "snapshot_support:True,disk_type:ssd."),
    cfg.StrOpt("dummy_replication_domain",
               help="Replication domain of this backend; backends of one domain keep "
                    "replicas of each other's shares. Unset: no replication."),
    cfg.StrOpt("dummy_replication_type", default="readable",
               choices=["writable", "readable", "dr"],
               help="Replication type reported when dummy_replication_domain is set."),
]

METHODS = ("create_share", "delete_share", "ensure_share", "get_stats", "update_access",
           "create_snapshot", "delete_snapshot", "create_share_from_snapshot",
           "revert_to_snapshot", "extend_share", "shrink_share", "manage_existing",
           "unmanage", "manage_existing_snapshot", "unmanage_snapshot", "create_replica",
           "delete_replica", "promote_replica", "update_replica_state", "export_snapshot",
           "snapshot_update_access", "unexport_snapshot", "setup_server", "ensure_server",
           "teardown_server",
           # dummy_groups (share/drivers/dummy_groups.py)
           "create_share_group", "delete_share_group", "create_share_group_snapshot",
           "delete_share_group_snapshot")
LOG = logging.getLogger(__name__)
# Access types each protocol can enforce.
ACCESS_TYPES = {"NFS": {"ip"}, "CIFS": {"ip", "user"}}


class DummyDriver(StorageDriver, SnapshotSupport, ResizeSupport, ManageSupport,
                  ReplicationSupport, SnapshotMountSupport, ShareServerSupport):
    supported_dhss = frozenset({False, True})

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        opts = config.options
        self._pools: dict[str, float] = {}
        for item in opts.dummy_pools:
            name, sep, size = item.partition(":")
            try:
                total = float(size)
            except ValueError:
                total = -1.0
            if not sep or not name or total <= 0:
                raise DriverError(f"[{config.name}] dummy_pools: '{item}' is not name:total_gb")
            self._pools[name] = total
        self._delays = {k: float(v) for k, v in opts.dummy_method_delays.items()}
        unknown = (set(self._delays) | set(opts.dummy_fail_methods)) - set(METHODS)
        if unknown:
            raise DriverError(f"[{config.name}] unknown dummy methods {sorted(unknown)}; "
                              f"known: {', '.join(METHODS)}")
        self._fail = set(opts.dummy_fail_methods)
        self._lock = threading.Lock()
        self._shares: dict[str, tuple[str, int]] = {}  # instance id -> (pool, size)
        self._snapshots: dict[str, str] = {}  # snapshot id -> instance id
        self.access: dict[str, list[AccessRule]] = {}  # instance id -> rules in force
        # exported snapshot id -> rules in force
        self.snapshot_access: dict[str, list[AccessRule]] = {}
        self.servers: dict[str, ShareServer] = {}  # share servers set up (DHSS=True)

    @classmethod
    def options(cls) -> list[cfg.Opt]:
        return OPTS

    def _enter(self, method: str) -> None:
        delay = self._delays.get(method, self.config.options.dummy_default_delay)
        if delay:
            time.sleep(delay)
        if method in self._fail:
            raise DriverError(f"The dummy backend is configured to fail {method}.")

    def _export(self, share: ShareRequest) -> ShareResult:
        address = self.config.options.dummy_export_address
        if share.share_server is not None:  # DHSS=True: the server's address
            if share.share_server.id not in self.servers:
                raise DriverError(f"Share server {share.share_server.id} is not set up.")
            address = share.share_server.addresses[0]
        if share.share_proto == "CIFS":
            path = f"\\\\{address}\\{share.name}"
        else:
            path = f"{address}:/dummy/{share.pool}/{share.name}"
        return ShareResult(export_locations=(ExportLocationInfo(path=path, preferred=True),))

    def get_stats(self) -> BackendStats:
        self._enter("get_stats")
        with self._lock:
            used: dict[str, int] = {}
            for pool, size in self._shares.values():
                used[pool] = used.get(pool, 0) + size
        opts = self.config.options
        caps: dict[str, object] = dict(opts.dummy_capabilities)
        if opts.dummy_replication_domain:
            caps["replication_domain"] = opts.dummy_replication_domain
            caps["replication_type"] = opts.dummy_replication_type
        pools = tuple(
            PoolStats(pool_name=name, total_capacity_gb=total,
                      # it writes no data: a thin pool's free space stays its total
                      free_capacity_gb=(float(total) if opts.dummy_thin_provisioning
                                        else max(total - used.get(name, 0), 0.0)),
                      allocated_capacity_gb=float(used.get(name, 0)),
                      provisioned_capacity_gb=float(used.get(name, 0)),
                      thin_provisioning=opts.dummy_thin_provisioning,
                      max_over_subscription_ratio=(opts.dummy_max_over_subscription_ratio
                                                   if opts.dummy_thin_provisioning else 1.0))
            for name, total in self._pools.items())
        return BackendStats(share_backend_name=self.config.share_backend_name,
                            driver_handles_share_servers=self.config.driver_handles_share_servers,
                            storage_protocol="NFS_CIFS",
                            pools=pools, vendor_name="Abaca", driver_version="1.0",
                            snapshot_support=True, create_share_from_snapshot_support=True,
                            revert_to_snapshot_support=True, mount_snapshot_support=True,
                            capabilities=caps)

    def _check_pool(self, share: ShareRequest) -> None:
        if share.pool not in self._pools:
            raise DriverError(f"Pool {share.pool} does not exist on backend "
                              f"{self.config.name}.")

    def create_share(self, share: ShareRequest) -> ShareResult:
        self._enter("create_share")
        self._check_pool(share)
        with self._lock:
            self._shares[share.instance_id] = (share.pool, share.size)
        return self._export(share)

    def delete_share(self, share: ShareRequest) -> None:
        self._enter("delete_share")
        with self._lock:
            self._shares.pop(share.instance_id, None)

    def ensure_share(self, share: ShareRequest) -> ShareResult:
        self._enter("ensure_share")
        self._check_pool(share)
        with self._lock:
            self._shares[share.instance_id] = (share.pool, share.size)
        return self._export(share)

    # share servers (DHSS=True) -------------------------------------------------------

    def setup_server(self, server: ShareServer) -> dict[str, str]:
        self._enter("setup_server")
        with self._lock:
            self.servers[server.id] = server
        return {"dummy_export_address": server.addresses[0]}

    def ensure_server(self, server: ShareServer) -> None:
        self._enter("ensure_server")
        with self._lock:
            self.servers[server.id] = server

    def teardown_server(self, server: ShareServer) -> None:
        self._enter("teardown_server")
        with self._lock:
            self.servers.pop(server.id, None)

    def update_access(self, share: ShareRequest, rules: Sequence[AccessRule],
                      add: Sequence[AccessRule], delete: Sequence[AccessRule]) -> dict[str, str]:
        self._enter("update_access")
        allowed = ACCESS_TYPES.get(share.share_proto, set())
        failed = {r.id: "error" for r in rules if r.access_type not in allowed}
        self._serve(share.instance_id, [r for r in rules if r.id not in failed])
        return failed

    def _serve(self, instance_id: str, rules: Sequence[AccessRule]) -> None:
        """Record the rules an instance serves; the log line lets tests see them."""
        with self._lock:
            self.access[instance_id] = list(rules)
        LOG.info("dummy %s: instance %s serves [%s]", self.config.name, instance_id,
                 ", ".join(sorted(f"{r.access_to}:{r.access_level}" for r in rules)))

    # snapshots ------------------------------------------------------------------------

    def create_snapshot(self, snapshot: SnapshotRequest) -> SnapshotResult:
        self._enter("create_snapshot")
        with self._lock:
            if snapshot.share.instance_id not in self._shares:
                raise DriverError(f"Share {snapshot.share.share_id} is not on this backend.")
            self._snapshots[snapshot.snapshot_id] = snapshot.share.instance_id
        return SnapshotResult(provider_location=f"dummy/{snapshot.name}", size=snapshot.size)

    def delete_snapshot(self, snapshot: SnapshotRequest) -> None:
        self._enter("delete_snapshot")
        with self._lock:
            self._snapshots.pop(snapshot.snapshot_id, None)
            self.snapshot_access.pop(snapshot.snapshot_id, None)

    # mountable snapshots -------------------------------------------------------------

    def export_snapshot(self, snapshot: SnapshotRequest) -> ShareResult:
        self._enter("export_snapshot")
        with self._lock:
            if snapshot.snapshot_id not in self._snapshots:
                raise DriverError(f"Snapshot {snapshot.snapshot_id} is not on this backend.")
            self.snapshot_access[snapshot.snapshot_id] = []
        address = self.config.options.dummy_export_address
        path = (f"\\\\{address}\\{snapshot.name}" if snapshot.share.share_proto == "CIFS"
                else f"{address}:/dummy/{snapshot.share.pool}/{snapshot.name}")
        return ShareResult(export_locations=(ExportLocationInfo(path=path, preferred=True),))

    def snapshot_update_access(self, snapshot: SnapshotRequest,
                               rules: Sequence[AccessRule]) -> dict[str, str]:
        self._enter("snapshot_update_access")
        allowed = ACCESS_TYPES.get(snapshot.share.share_proto, set())
        failed = {r.id: "error" for r in rules
                  if r.access_type not in allowed or r.access_level != "ro"}
        with self._lock:
            if snapshot.snapshot_id not in self.snapshot_access:
                raise DriverError(f"Snapshot {snapshot.snapshot_id} is not exported.")
            self.snapshot_access[snapshot.snapshot_id] = [r for r in rules
                                                          if r.id not in failed]
        return failed

    def unexport_snapshot(self, snapshot: SnapshotRequest) -> None:
        self._enter("unexport_snapshot")
        with self._lock:
            self.snapshot_access.pop(snapshot.snapshot_id, None)

    def create_share_from_snapshot(self, share: ShareRequest,
                                   snapshot: SnapshotRequest) -> ShareResult:
        self._enter("create_share_from_snapshot")
        self._check_pool(share)
        with self._lock:
            if snapshot.snapshot_id not in self._snapshots:
                raise DriverError(f"Snapshot {snapshot.snapshot_id} is not on this backend.")
            self._shares[share.instance_id] = (share.pool, share.size)
        return self._export(share)

    def revert_to_snapshot(self, share: ShareRequest, snapshot: SnapshotRequest,
                           rules: Sequence[AccessRule]) -> None:
        self._enter("revert_to_snapshot")
        with self._lock:
            if self._snapshots.get(snapshot.snapshot_id) != share.instance_id:
                raise DriverError(f"Snapshot {snapshot.snapshot_id} is not of this share.")

    # resize -----------------------------------------------------------------------------

    def extend_share(self, share: ShareRequest, new_size: int) -> None:
        self._enter("extend_share")
        with self._lock:
            self._shares[share.instance_id] = (share.pool, new_size)

    def shrink_share(self, share: ShareRequest, new_size: int) -> None:
        self._enter("shrink_share")
        with self._lock:
            self._shares[share.instance_id] = (share.pool, new_size)

    # manage -----------------------------------------------------------------------------

    def manage_existing(self, share: ShareRequest, export_path: str,
                        driver_options: dict[str, str]) -> ManagedShare:
        self._enter("manage_existing")
        self._check_pool(share)
        try:
            size = int(driver_options.get("size", "1"))
        except ValueError as exc:
            raise DriverError("driver_options size must be a whole number of GiB") from exc
        with self._lock:
            self._shares[share.instance_id] = (share.pool, size)
        return ManagedShare(size=size, result=ShareResult(
            export_locations=(ExportLocationInfo(path=export_path, preferred=True),)))

    def unmanage(self, share: ShareRequest) -> None:
        self._enter("unmanage")
        with self._lock:
            self._shares.pop(share.instance_id, None)

    def manage_existing_snapshot(self, snapshot: SnapshotRequest,
                                 driver_options: dict[str, str]) -> SnapshotResult:
        self._enter("manage_existing_snapshot")
        with self._lock:
            self._snapshots[snapshot.snapshot_id] = snapshot.share.instance_id
        return SnapshotResult(provider_location=snapshot.provider_location or snapshot.name,
                              size=snapshot.size)

    def unmanage_snapshot(self, snapshot: SnapshotRequest) -> None:
        self._enter("unmanage_snapshot")
        with self._lock:
            self._snapshots.pop(snapshot.snapshot_id, None)

    # replication --------------------------------------------------------------------

    def create_replica(self, active: ShareRequest, replica: ShareRequest,
                       rules: Sequence[AccessRule]) -> ReplicaResult:
        self._enter("create_replica")
        self._check_pool(replica)
        with self._lock:
            self._shares[replica.instance_id] = (replica.pool, replica.size)
        self._serve(replica.instance_id, rules)
        return ReplicaResult(replica_state="out_of_sync",
                             export_locations=self._export(replica).export_locations)

    def delete_replica(self, active: ShareRequest | None, replica: ShareRequest) -> None:
        self._enter("delete_replica")
        with self._lock:
            self._shares.pop(replica.instance_id, None)
            self.access.pop(replica.instance_id, None)

    def promote_replica(self, old_active: ShareRequest, replica: ShareRequest,
                        rules: Sequence[AccessRule]) -> ReplicaResult:
        self._enter("promote_replica")
        with self._lock:
            if replica.instance_id not in self._shares:
                raise DriverError(f"Replica {replica.instance_id} is not on this backend.")
        self._serve(replica.instance_id, rules)
        return ReplicaResult(replica_state="active",
                             export_locations=self._export(replica).export_locations)

    def update_replica_state(self, active: ShareRequest, replica: ShareRequest) -> str:
        self._enter("update_replica_state")
        with self._lock:
            return "in_sync" if replica.instance_id in self._shares else "error"
