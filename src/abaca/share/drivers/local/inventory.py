"""What the local backend holds, for the reconciler's orphan check: the share and
snapshot trees of its pool and the names its host frontend exports (share servers'
frontends are left to their share servers)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from abaca.share.driver_api import BackendObject
from abaca.share.drivers.local.pool import validate_name

if TYPE_CHECKING:
    from abaca.share.drivers.local.driver import LocalDriver

LOG = logging.getLogger(__name__)


def _trees(directory: Path, kind: str, now: float) -> list[BackendObject]:
    found = []
    if directory.is_dir():
        for path in directory.iterdir():
            try:
                ctime = path.lstat().st_ctime
            except FileNotFoundError:  # removed while we looked
                continue
            found.append(BackendObject(kind, path.name, max(now - ctime, 0.0)))
    return found


def backend_objects(driver: LocalDriver) -> list[BackendObject]:
    now = time.time()
    found = (_trees(driver.pool.shares_dir, "share", now)
             + _trees(driver.pool.snapshots_dir, "snapshot", now))
    frontend = driver.host_frontend
    if frontend is not None:
        names = set(frontend.export_ids.names())
        if frontend.smb is not None:
            names.update(frontend.smb.shares())
        found += [BackendObject("export", name) for name in sorted(names)]
    return found


def remove(driver: LocalDriver, obj: BackendObject) -> None:
    """Stop serving ``obj.name`` from the host frontend; delete the data of a share or
    snapshot. Only names that pass the pool's grammar get this far."""
    name = validate_name(obj.name)
    frontend = driver.host_frontend
    if frontend is not None:
        if frontend.nfs is not None:
            export_id = frontend.export_ids.get(name)
            if export_id is not None:
                frontend.nfs.unexport(export_id)
                frontend.export_ids.release(name)
        if driver.binds is not None:
            driver.binds.unbind(name)
        if frontend.smb is not None and name in frontend.smb.shares():
            frontend.smb.unshare(name)
    if obj.kind == "share":
        driver.pool.delete(name)
    elif obj.kind == "snapshot":
        driver.pool.delete_snapshot(name)
    LOG.info("%s: removed orphan %s %s", driver.config.name, obj.kind, name)
