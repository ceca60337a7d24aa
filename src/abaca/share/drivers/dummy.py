"""The dummy storage driver: no storage, for API tests, error paths and scale runs.

Pools and their sizes come from config; every method can be slowed down
(``dummy_method_delays``) or made to fail (``dummy_fail_methods``). It keeps the shares
it holds in memory; the share service re-registers them with ``ensure_share`` at start.
"""

from __future__ import annotations

import threading
import time

from abaca.share.driver_api import (
    BackendConfig,
    BackendStats,
    DriverError,
    ExportLocationInfo,
    PoolStats,
    ShareRequest,
    ShareResult,
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
]

METHODS = ("create_share", "delete_share", "ensure_share", "get_stats")


class DummyDriver(StorageDriver):
    supported_dhss = frozenset({False})

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
        pools = tuple(
            PoolStats(pool_name=name, total_capacity_gb=total,
                      free_capacity_gb=max(total - used.get(name, 0), 0.0),
                      allocated_capacity_gb=float(used.get(name, 0)),
                      provisioned_capacity_gb=float(used.get(name, 0)),
                      thin_provisioning=opts.dummy_thin_provisioning,
                      max_over_subscription_ratio=(opts.dummy_max_over_subscription_ratio
                                                   if opts.dummy_thin_provisioning else 1.0))
            for name, total in self._pools.items())
        return BackendStats(share_backend_name=self.config.share_backend_name,
                            driver_handles_share_servers=False, storage_protocol="NFS_CIFS",
                            pools=pools, vendor_name="Abaca", driver_version="1.0",
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
