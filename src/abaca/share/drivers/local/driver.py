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
    BackendStats,
    DriverError,
    ExportLocationInfo,
    ManagedShare,
    ManageSupport,
    PoolStats,
    ResizeSupport,
    ShareRequest,
    ShareResult,
    SnapshotRequest,
    SnapshotResult,
    SnapshotSupport,
    StorageDriver,
    cfg,
)
from abaca.share.drivers.local.binds import BindMounts
from abaca.share.drivers.local.btrfs import BtrfsPool
from abaca.share.drivers.local.directory import DirectoryPool
from abaca.share.drivers.local.loopdev import LoopFilesystem
from abaca.share.drivers.local.options import OPTS
from abaca.share.drivers.local.pool import StoragePool
from abaca.share.drivers.local.registry import ExportIds
from abaca.share.drivers.local.users import read_users_file
from abaca.share.protocols.ganesha import GaneshaServer
from abaca.share.protocols.rules import IpRule, UserRule
from abaca.share.protocols.samba import SambaServer

LOG = logging.getLogger(__name__)


class LocalDriver(StorageDriver, SnapshotSupport, ResizeSupport, ManageSupport):
    supported_dhss = frozenset({False})

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
        self.nfs = (GaneshaServer(self.workdir / "ganesha", self.address, opts.local_nfs_port)
                    if "NFS" in self.protocols else None)
        self.smb = (SambaServer(self.workdir / "samba", self.address, opts.local_smb_port)
                    if "CIFS" in self.protocols else None)
        self.export_ids = ExportIds(self.workdir / "nfs-export-ids.json")
        # NFS-Ganesha (this build) cannot resolve btrfs subvolumes created after it
        # scanned the mounts; a bind mount of each share makes it a filesystem it finds.
        self.binds = BindMounts(self.workdir / "exports") \
            if isinstance(self.pool, BtrfsPool) else None
        self._stop = threading.Event()
        self._restarted = threading.Event()
        self._users_stamp: tuple[int, int | None] | None = None
        self._supervisor: threading.Thread | None = None

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
        if self.binds is not None:  # before Ganesha starts: it serves these paths
            for name in self.export_ids.names():
                if self.pool.exists(name):
                    self.binds.bind(self.pool.path(name), name)
        for server in (self.nfs, self.smb):
            if server is not None:
                server.start()
        self._sync_users()
        self._stop.clear()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True,
                                            name=f"local-supervisor-{self.config.name}")
        self._supervisor.start()

    def shutdown(self) -> None:
        self._stop.set()
        if self._supervisor is not None:
            self._supervisor.join(10)
        for server in (self.nfs, self.smb):
            if server is not None:
                server.stop()
        if self.binds is not None:
            self.binds.unbind_all()
        if self.loop is not None:
            self.loop.release()

    def _supervise(self) -> None:
        interval = self.config.options.local_supervise_interval
        while not self._stop.wait(interval):
            for server in (self.nfs, self.smb):
                try:
                    if server is not None and server.ensure_running():
                        LOG.warning("%s: restarted a dead %s", self.config.name,
                                    type(server).__name__)
                        self._restarted.set()
                except Exception:
                    LOG.exception("%s: could not restart %s", self.config.name,
                                  type(server).__name__)

    def needs_resync(self) -> bool:
        if self._restarted.is_set():
            self._restarted.clear()
            return True
        return False

    def _sync_users(self) -> None:
        """Load the CIFS users file into Samba when it changed (or smbd restarted)."""
        path = self.config.options.local_cifs_users_file
        if self.smb is None or not path:
            return
        stamp = (os.stat(path).st_mtime_ns, self.smb.pid)
        if stamp == self._users_stamp:
            return
        for name, password in read_users_file(Path(path)).items():
            self.smb.ensure_user(name, password)
        self._users_stamp = stamp

    # stats ------------------------------------------------------------------------------

    def get_stats(self) -> BackendStats:
        cap = self.pool.capacity()
        provisioned = self.pool.provisioned_gb()
        thin = isinstance(self.pool, BtrfsPool)  # qgroup limits reserve no space
        opts = self.config.options
        self._sync_users()
        pool = PoolStats(
            pool_name=opts.local_pool_name, total_capacity_gb=cap.total_gb,
            free_capacity_gb=cap.free_gb, allocated_capacity_gb=provisioned,
            provisioned_capacity_gb=provisioned, thin_provisioning=thin,
            max_over_subscription_ratio=(opts.local_max_over_subscription_ratio if thin
                                         else 1.0),
            capabilities={"enforces_share_size": self.pool.enforces_size,
                          "pool_type": opts.local_pool_type})
        protocol = "NFS_CIFS" if len(self.protocols) == 2 else next(iter(self.protocols))
        return BackendStats(share_backend_name=self.config.share_backend_name,
                            driver_handles_share_servers=False, storage_protocol=protocol,
                            pools=(pool,), vendor_name="Abaca", driver_version="1.0",
                            snapshot_support=True, create_share_from_snapshot_support=True,
                            revert_to_snapshot_support=True)

    # shares -----------------------------------------------------------------------------

    def _check(self, share: ShareRequest) -> None:
        if share.share_proto not in self.protocols:
            raise DriverError(f"Backend {self.config.name} does not serve "
                              f"{share.share_proto}.")

    def _locations(self, share: ShareRequest) -> ShareResult:
        if share.share_proto == "NFS":
            path = f"{_host(self.address)}:/{share.name}"
        else:
            path = f"\\\\{self.address}\\{share.name}"
        return ShareResult(export_locations=(ExportLocationInfo(path=path, preferred=True),))

    def _publish(self, share: ShareRequest, rules: Sequence[AccessRule]) -> dict[str, str]:
        """Export the share with exactly ``rules``; returns the rules it cannot apply."""
        path = str(self.pool.path(share.name))
        failed: dict[str, str] = {}
        if share.share_proto == "NFS":
            assert self.nfs is not None
            if self.binds is not None:
                path = str(self.binds.bind(self.pool.path(share.name), share.name))
            ip_rules = []
            for rule in rules:
                if rule.access_type == "ip":
                    ip_rules.append(IpRule(rule.access_to, _level(rule.access_level)))
                else:
                    failed[rule.id] = "error"
            self.nfs.export(self.export_ids.assign(share.name), path, f"/{share.name}",
                            ip_rules)
        else:
            assert self.smb is not None
            ips = [IpRule(r.access_to, _level(r.access_level)) for r in rules
                   if r.access_type == "ip"]
            users = [UserRule(r.access_to, _level(r.access_level)) for r in rules
                     if r.access_type == "user"]
            failed = {r.id: "error" for r in rules if r.access_type not in ("ip", "user")}
            self.smb.share(share.name, path, ips, users)
        return failed

    def _unpublish(self, share: ShareRequest) -> None:
        if share.share_proto == "NFS" and self.nfs is not None:
            export_id = self.export_ids.get(share.name)
            if export_id is not None:
                self.nfs.unexport(export_id)
                self.export_ids.release(share.name)
            if self.binds is not None:
                self.binds.unbind(share.name)
        elif share.share_proto == "CIFS" and self.smb is not None:
            self.smb.unshare(share.name)

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
        if share.share_proto == "NFS" and self.export_ids.get(share.name) is None:
            self._publish(share, [])  # the rules follow through update_access
        if share.share_proto == "CIFS" and self.smb is not None and \
                share.name not in self.smb.shares():
            self._publish(share, [])
        return self._locations(share)

    def update_access(self, share: ShareRequest, rules: Sequence[AccessRule],
                      add: Sequence[AccessRule], delete: Sequence[AccessRule]) -> dict[str, str]:
        self._check(share)
        return self._publish(share, rules)

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


def _snapshot_name(snapshot: SnapshotRequest) -> str:
    return snapshot.provider_location or snapshot.name


def _level(level: str) -> Literal["rw", "ro"]:
    return "ro" if level == "ro" else "rw"


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address
