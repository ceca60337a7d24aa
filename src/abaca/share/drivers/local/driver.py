"""The ``local`` storage driver: shares on btrfs (or plain directories) on this machine,
served over NFS by NFS-Ganesha and over CIFS by Samba, each a daemon the driver supervises.

Every value that reaches a path, a config file or a command was validated by the API's
grammar and is validated again by the pool and the protocol servers.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from abaca.share.driver_api import (
    AccessRule,
    BackendConfig,
    BackendObject,
    BackendStats,
    DriverError,
    InventorySupport,
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
from abaca.share.drivers.local import inventory, replication, snapshot_exports
from abaca.share.drivers.local.binds import BindMounts
from abaca.share.drivers.local.btrfs import BtrfsPool
from abaca.share.drivers.local.directory import DirectoryPool
from abaca.share.drivers.local.frontend import Frontend, server_workdir
from abaca.share.drivers.local.loopdev import LoopFilesystem
from abaca.share.drivers.local.options import OPTS
from abaca.share.drivers.local.pool import StoragePool
from abaca.share.drivers.local.users import read_users_file
from abaca.share.protocols.rules import IpRule, UserRule

LOG = logging.getLogger(__name__)


class LocalDriver(StorageDriver, SnapshotSupport, ResizeSupport, ManageSupport,
                  ShareServerSupport, ReplicationSupport, SnapshotMountSupport,
                  InventorySupport):
    supported_dhss = frozenset({False, True})
    supported_compute_helpers = frozenset({"noop", "netns"})

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        opts = config.options
        self.workdir = Path(config.state_path) / "local" / config.name
        self.protocols = {p.upper() for p in opts.local_protocols}
        unknown = self.protocols - {"NFS", "CIFS"}
        if unknown or not self.protocols:
            raise DriverError(f"[{config.name}] local_protocols: expected NFS and/or CIFS")
        self.address = opts.local_export_address
        self.loop: LoopFilesystem | None = None
        root = Path(opts.local_pool_path) if opts.local_pool_path else None
        if opts.local_pool_type == "btrfs":
            if root is None:
                root = self.workdir / "mnt"
                self.loop = LoopFilesystem(self.workdir / "pool.img", root,
                                           opts.local_loop_size_gb)
            self.pool: StoragePool = BtrfsPool(root)
        else:
            self.pool = DirectoryPool(root or self.workdir / "dirs")
        # DHSS=False: one frontend on local_export_address. DHSS=True: one per share
        # server, inside its namespace, on its address (setup_server/ensure_server).
        self.host_frontend = (None if config.driver_handles_share_servers else
                              Frontend(self.workdir, self.address, self.protocols,
                                       opts.local_nfs_port, opts.local_smb_port))
        self.server_frontends: dict[str, Frontend] = {}
        self._frontends_lock = threading.Lock()
        # NFS-Ganesha (this build) cannot resolve btrfs subvolumes created after it
        # scanned the mounts; a bind mount of each share makes it a filesystem it finds.
        self.binds = BindMounts(self.workdir / "exports") \
            if isinstance(self.pool, BtrfsPool) else None
        self._stop = threading.Event()
        self._restarted = threading.Event()
        self._users_stamps: dict[str, tuple[int, int | None]] = {}
        self._supervisor: threading.Thread | None = None
        self._served: dict[str, list[AccessRule]] = {}  # share name -> rules it serves

    @classmethod
    def options(cls) -> list[cfg.Opt]:
        return OPTS

    # life cycle -------------------------------------------------------------------------

    def do_setup(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o700)
        if self.loop is not None:
            self.loop.ensure()
        if not self.config.options.local_pool_path:
            self.pool.root.mkdir(parents=True, exist_ok=True)  # the embedded default
        self.pool.setup()
        if self.host_frontend is not None:
            self._start_frontend(self.host_frontend)
        self._stop.clear()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True,
                                            name=f"local-supervisor-{self.config.name}")
        self._supervisor.start()
        if config_domain(self):
            replication.register(self.config.name, self)

    def _start_frontend(self, frontend: Frontend) -> None:
        if self.binds is not None:  # before Ganesha starts: it serves these paths
            for name in frontend.export_ids.names():
                if self.pool.exists(name):
                    self.binds.bind(self.pool.path(name), name)
                elif self.pool.snapshot_exists(name):  # a mountable snapshot
                    self.binds.bind(self.pool.snapshot_path(name), name)
        frontend.start()
        self._sync_users(frontend, force=True)

    def _frontends(self) -> list[Frontend]:
        with self._frontends_lock:
            servers = list(self.server_frontends.values())
        return ([self.host_frontend] if self.host_frontend is not None else []) + servers

    def shutdown(self) -> None:
        replication.unregister(self.config.name, self)
        self._stop.set()
        if self._supervisor is not None:
            self._supervisor.join(10)
        for frontend in self._frontends():
            frontend.stop()
        with self._frontends_lock:
            self.server_frontends.clear()
        if self.binds is not None:
            self.binds.unbind_all()
        if self.loop is not None:
            self.loop.release()

    def _supervise(self) -> None:
        interval = self.config.options.local_supervise_interval
        while not self._stop.wait(interval):
            for frontend in self._frontends():
                try:
                    restarted = frontend.restart_dead()
                except Exception:
                    LOG.exception("%s: could not restart a server of %s", self.config.name,
                                  frontend.address)
                    continue
                if restarted:
                    LOG.warning("%s: restarted a dead %s on %s", self.config.name,
                                " and ".join(restarted), frontend.address)
                    self._restarted.set()

    def needs_resync(self) -> bool:
        if self._restarted.is_set():
            self._restarted.clear()
            return True
        return False

    def _sync_users(self, frontend: Frontend, *, force: bool = False) -> None:
        """Load the CIFS users file into a frontend's Samba when it changed (or smbd
        restarted)."""
        path = self.config.options.local_cifs_users_file
        if frontend.smb is None or not path:
            return
        stamp = (os.stat(path).st_mtime_ns, frontend.smb.pid)
        key = str(frontend.workdir)
        if stamp == self._users_stamps.get(key) and not force:
            return
        for name, password in read_users_file(Path(path)).items():
            frontend.smb.ensure_user(name, password)
        self._users_stamps[key] = stamp

    # stats ------------------------------------------------------------------------------

    def get_stats(self) -> BackendStats:
        cap = self.pool.capacity()
        provisioned = self.pool.provisioned_gb()
        thin = isinstance(self.pool, BtrfsPool)  # qgroup limits reserve no space
        opts = self.config.options
        for frontend in self._frontends():
            self._sync_users(frontend)
        pool = PoolStats(
            pool_name=opts.local_pool_name, total_capacity_gb=cap.total_gb,
            free_capacity_gb=cap.free_gb, allocated_capacity_gb=provisioned,
            provisioned_capacity_gb=provisioned, thin_provisioning=thin,
            max_over_subscription_ratio=(opts.local_max_over_subscription_ratio if thin
                                         else 1.0),
            capabilities={"enforces_share_size": self.pool.enforces_size,
                          "pool_type": opts.local_pool_type,
                          **({"replication_domain": config_domain(self),
                              "replication_type": opts.local_replication_type}
                             if config_domain(self) else {})})
        protocol = "NFS_CIFS" if len(self.protocols) == 2 else next(iter(self.protocols))
        return BackendStats(share_backend_name=self.config.share_backend_name,
                            driver_handles_share_servers=self.config.driver_handles_share_servers,
                            storage_protocol=protocol,
                            pools=(pool,), vendor_name="Abaca", driver_version="1.0",
                            snapshot_support=True, create_share_from_snapshot_support=True,
                            revert_to_snapshot_support=True, mount_snapshot_support=True)

    # shares -----------------------------------------------------------------------------

    def _check(self, share: ShareRequest) -> None:
        if share.share_proto not in self.protocols:
            raise DriverError(f"Backend {self.config.name} does not serve "
                              f"{share.share_proto}.")

    def _frontend(self, share: ShareRequest) -> Frontend:
        """The frontend that exports the share: its server's, or the host's."""
        if share.share_server is None:
            if self.host_frontend is None:
                raise DriverError(f"Share {share.share_id} has no share server.")
            return self.host_frontend
        with self._frontends_lock:
            frontend = self.server_frontends.get(share.share_server.id)
        if frontend is None:
            raise DriverError(f"Share server {share.share_server.id} is not running on "
                              f"backend {self.config.name}.")
        return frontend

    def _locations(self, share: ShareRequest) -> ShareResult:
        return self._frontend(share).locations(share.share_proto, share.name)

    def _publish(self, share: ShareRequest, rules: Sequence[AccessRule]) -> dict[str, str]:
        """Export the share with exactly ``rules``; returns the rules it cannot apply."""
        frontend = self._frontend(share)
        path = str(self.pool.path(share.name))
        failed: dict[str, str] = {}
        self._served[share.name] = list(rules)
        if share.share_proto == "NFS":
            assert frontend.nfs is not None
            if self.binds is not None:
                path = str(self.binds.bind(self.pool.path(share.name), share.name))
            ip_rules = []
            for rule in rules:
                if rule.access_type == "ip":
                    ip_rules.append(IpRule(rule.access_to, _level(rule.access_level)))
                else:
                    failed[rule.id] = "error"
            frontend.nfs.export(frontend.export_ids.assign(share.name), path,
                                f"/{share.name}", ip_rules)
        else:
            assert frontend.smb is not None
            ips = [IpRule(r.access_to, _level(r.access_level)) for r in rules
                   if r.access_type == "ip"]
            users = [UserRule(r.access_to, _level(r.access_level)) for r in rules
                     if r.access_type == "user"]
            failed = {r.id: "error" for r in rules if r.access_type not in ("ip", "user")}
            frontend.smb.share(share.name, path, ips, users)
        return failed

    def _unpublish(self, share: ShareRequest) -> None:
        frontend = self._frontend(share)
        if share.share_proto == "NFS" and frontend.nfs is not None:
            export_id = frontend.export_ids.get(share.name)
            if export_id is not None:
                frontend.nfs.unexport(export_id)
                frontend.export_ids.release(share.name)
            if self.binds is not None:
                self.binds.unbind(share.name)
        elif share.share_proto == "CIFS" and frontend.smb is not None:
            frontend.smb.unshare(share.name)

    def create_share(self, share: ShareRequest) -> ShareResult:
        self._check(share)
        self.pool.create(share.name, share.size)
        self._publish(share, [])
        return self._locations(share)

    def delete_share(self, share: ShareRequest) -> None:
        self._unpublish(share)
        self.pool.delete(share.name)

    def ensure_share(self, share: ShareRequest) -> ShareResult:
        self._check(share)
        if not self.pool.exists(share.name):
            raise DriverError(f"Share {share.share_id} has no data on backend "
                              f"{self.config.name}.")
        frontend = self._frontend(share)
        if share.share_proto == "NFS" and frontend.export_ids.get(share.name) is None:
            self._publish(share, [])  # the rules follow through update_access
        if share.share_proto == "CIFS" and frontend.smb is not None and \
                share.name not in frontend.smb.shares():
            self._publish(share, [])
        return self._locations(share)

    def update_access(self, share: ShareRequest, rules: Sequence[AccessRule],
                      add: Sequence[AccessRule], delete: Sequence[AccessRule]) -> dict[str, str]:
        self._check(share)
        return self._publish(share, rules)

    # the reconciler's orphan check (inventory.py) -------------------------------------

    def backend_objects(self) -> list[BackendObject]:
        return inventory.backend_objects(self)

    def remove_backend_object(self, obj: BackendObject) -> None:
        inventory.remove(self, obj)
        self._served.pop(obj.name, None)

    # replication (btrfs send | receive between local backends; replication.py) ----------

    def publish_replica(self, share: ShareRequest, rules: Sequence[AccessRule]) -> None:
        failed = self._publish(share, rules)
        if failed:
            raise DriverError(f"Replica {share.instance_id} cannot serve some rules.")

    def unpublish_replica(self, share: ShareRequest) -> None:
        self._unpublish(share)

    def served_rules(self, share: ShareRequest) -> list[AccessRule]:
        return list(self._served.get(share.name, []))

    def locations_of(self, share: ShareRequest) -> ShareResult:
        return self._locations(share)

    def create_replica(self, active: ShareRequest, replica: ShareRequest,
                       rules: Sequence[AccessRule]) -> ReplicaResult:
        self._check(replica)
        return replication.create(self, active, replica, rules)

    def delete_replica(self, active: ShareRequest | None, replica: ShareRequest) -> None:
        replication.delete(self, active, replica, self.delete_share)

    def promote_replica(self, old_active: ShareRequest, replica: ShareRequest,
                        rules: Sequence[AccessRule]) -> ReplicaResult:
        return replication.promote(self, old_active, replica, rules)

    def update_replica_state(self, active: ShareRequest, replica: ShareRequest) -> str:
        return replication.update(self, active, replica)

    # share servers (DHSS=True) ----------------------------------------------------------

    def _server_frontend(self, server: ShareServer) -> Frontend:
        if not server.addresses:
            raise DriverError(f"Share server {server.id} has no address.")
        opts = self.config.options
        return Frontend(server_workdir(self.workdir, server.id), server.addresses[0],
                        self.protocols, opts.local_nfs_port, opts.local_smb_port,
                        namespace=server.network_namespace)

    def setup_server(self, server: ShareServer) -> dict[str, str]:
        self.ensure_server(server)
        frontend = self._frontend_of(server)
        return {"export_address": frontend.address,
                "workdir": str(frontend.workdir.relative_to(self.workdir))}

    def _frontend_of(self, server: ShareServer) -> Frontend:
        with self._frontends_lock:
            return self.server_frontends[server.id]

    def ensure_server(self, server: ShareServer) -> None:
        with self._frontends_lock:
            frontend = self.server_frontends.get(server.id)
        if frontend is None or frontend.address != server.addresses[0]:
            frontend = self._server_frontend(server)
        self._start_frontend(frontend)
        with self._frontends_lock:  # supervised from now on
            self.server_frontends[server.id] = frontend

    def teardown_server(self, server: ShareServer) -> None:
        with self._frontends_lock:
            frontend = self.server_frontends.pop(server.id, None)
        if frontend is None:  # after a restart: the server's directory is still there
            frontend = Frontend(server_workdir(self.workdir, server.id), "127.0.0.1",
                                self.protocols, 1, 1)
        if self.binds is not None:
            for name in frontend.export_ids.names():
                self.binds.unbind(name)
        frontend.remove()

    # snapshots --------------------------------------------------------------------------

    def create_snapshot(self, snapshot: SnapshotRequest) -> SnapshotResult:
        self.pool.snapshot(snapshot.share.name, snapshot.name)
        return SnapshotResult(provider_location=snapshot.name, size=snapshot.size)

    def delete_snapshot(self, snapshot: SnapshotRequest) -> None:
        self.pool.delete_snapshot(_snapshot_name(snapshot))

    def create_share_from_snapshot(self, share: ShareRequest,
                                   snapshot: SnapshotRequest) -> ShareResult:
        self._check(share)
        self.pool.clone(_snapshot_name(snapshot), share.name, share.size)
        self._publish(share, [])
        return self._locations(share)

    def revert_to_snapshot(self, share: ShareRequest, snapshot: SnapshotRequest,
                           rules: Sequence[AccessRule]) -> None:
        # The revert swaps the share's tree: an export added earlier still points at the
        # old one, so take it down, revert, and export the new tree with the same rules.
        self._unpublish(share)
        self.pool.revert(share.name, _snapshot_name(snapshot))
        self._publish(share, rules)

    # mountable snapshots (snapshot_exports.py) --------------------------------------

    def export_snapshot(self, snapshot: SnapshotRequest) -> ShareResult:
        share, name = snapshot.share, _snapshot_name(snapshot)
        self._check(share)
        if not self.pool.snapshot_exists(name):
            raise DriverError(f"Snapshot {snapshot.snapshot_id} is not on this backend.")
        frontend = self._frontend(share)
        snapshot_exports.export(frontend, self.binds, share.share_proto, name,
                                self.pool.snapshot_path(name), [])
        return snapshot_exports.locations(frontend, share.share_proto, name)

    def snapshot_update_access(self, snapshot: SnapshotRequest,
                               rules: Sequence[AccessRule]) -> dict[str, str]:
        share, name = snapshot.share, _snapshot_name(snapshot)
        return snapshot_exports.export(self._frontend(share), self.binds, share.share_proto,
                                       name, self.pool.snapshot_path(name), rules)

    def unexport_snapshot(self, snapshot: SnapshotRequest) -> None:
        snapshot_exports.unexport(self._frontend(snapshot.share), self.binds,
                                  snapshot.share.share_proto, _snapshot_name(snapshot))

    # resize -----------------------------------------------------------------------------

    def extend_share(self, share: ShareRequest, new_size: int) -> None:
        self.pool.resize(share.name, new_size)

    def shrink_share(self, share: ShareRequest, new_size: int) -> None:
        self.pool.resize(share.name, new_size)  # raises ShrinkWouldLoseData, keeps data

    # manage -----------------------------------------------------------------------------

    def manage_existing(self, share: ShareRequest, export_path: str,
                        driver_options: dict[str, str]) -> ManagedShare:
        """Adopt ``<pool>/shares/<name>`` named by an export path's last component
        (``addr:/name``, ``\\\\addr\\name`` or the directory path)."""
        self._check(share)
        existing = export_path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        size = self.pool.adopt(existing)
        if existing != share.name:
            self._unpublish(dataclasses.replace(share, name=existing))
            os.rename(self.pool.path(existing), self.pool.path(share.name))
        self._publish(share, [])
        return ManagedShare(size=size, result=self._locations(share))

    def unmanage(self, share: ShareRequest) -> None:
        self._unpublish(share)  # the data stays where it is

    def manage_existing_snapshot(self, snapshot: SnapshotRequest,
                                 driver_options: dict[str, str]) -> SnapshotResult:
        existing = snapshot.provider_location or ""
        if not self.pool.snapshot_exists(existing):
            raise DriverError(f"No snapshot {existing!r} on backend {self.config.name}.")
        return SnapshotResult(provider_location=existing, size=snapshot.size)

    def unmanage_snapshot(self, snapshot: SnapshotRequest) -> None:
        """Nothing to undo: the snapshot's data stays."""


def config_domain(driver: LocalDriver) -> str:
    """The backend's replication domain; replication needs a btrfs pool and no share
    servers."""
    opts = driver.config.options
    if (not opts.local_replication_domain or not isinstance(driver.pool, BtrfsPool)
            or driver.config.driver_handles_share_servers):
        return ""
    return str(opts.local_replication_domain)


def _snapshot_name(snapshot: SnapshotRequest) -> str:
    return snapshot.provider_location or snapshot.name


def _level(level: str) -> Literal["rw", "ro"]:
    return "ro" if level == "ro" else "rw"

