"""A pool on btrfs: one subvolume per share, its qgroup's referenced limit as the hard size.

``<root>/shares`` and ``<root>/snapshots`` are subvolumes themselves, so that
``btrfs subvolume list -o`` lists exactly the shares, wherever the root sits in the
filesystem. Snapshots are read-only snapshots; a clone is a writable snapshot of one.

Qgroup numbers are updated when btrfs commits a transaction, so they lag recent writes
by up to the commit interval (30 s by default). Where usage must be exact (shrink,
manage) the pool commits first with ``btrfs filesystem sync`` (milliseconds, plus the
time to write out dirty data) and runs the far costlier ``btrfs quota rescan -w``
(a walk of the whole filesystem) only when btrfs flags its accounting inconsistent.
"""

from __future__ import annotations

import logging
import math
import os
import re
from pathlib import Path
from typing import NamedTuple

from abaca.common.errors import DriverError, Invalid, NotFound
from abaca.share.drivers.local.pool import (
    OLD_SUFFIX,
    REVERTING_SUFFIX,
    Capacity,
    GiB,
    ShrinkWouldLoseData,
    StoragePool,
    statvfs_capacity,
    validate_name,
    validate_size,
)
from abaca.share.processutils import CommandError, run

__all__ = ["BtrfsPool", "ShrinkWouldLoseData"]

LOG = logging.getLogger(__name__)

# The inode number of every subvolume's top directory (BTRFS_FIRST_FREE_OBJECTID).
_SUBVOLUME_INO = 256
_QGROUP_LINE = re.compile(r"(\d+)/(\d+)\s+(\d+)\s+(\d+)\s+(\d+|none)\s+(\d+|none)(?:\s.*)?")
_SUBVOL_LINE = re.compile(r"ID (\d+) gen \d+ top level \d+ path (.+)")


class Qgroup(NamedTuple):
    subvolume_id: int
    referenced: int
    exclusive: int
    max_referenced: int | None


def is_subvolume(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    return st.st_ino == _SUBVOLUME_INO and (st.st_mode & 0o170000) == 0o040000


class BtrfsPool(StoragePool):
    enforces_size = True

    # -- setup ----------------------------------------------------------------------

    def setup(self) -> None:
        fstype = run(["stat", "--file-system", "--format=%T", str(self.root)]).stdout.strip()
        if fstype != "btrfs":
            raise DriverError(f"{self.root} is not on btrfs (found {fstype or 'nothing'})")
        run(["btrfs", "quota", "enable", str(self.root)])
        for container in (self.shares_dir, self.snapshots_dir):
            if not os.path.lexists(container):
                self._subvolume_create(container)
            elif not is_subvolume(container):
                raise DriverError(f"{container} exists and is not a btrfs subvolume")

    # -- shares -----------------------------------------------------------------------

    def exists(self, name: str) -> bool:
        return is_subvolume(self.path(name))

    def snapshot_exists(self, snap_name: str) -> bool:
        return is_subvolume(self.snapshot_path(snap_name))

    def create(self, name: str, size_gb: int) -> None:
        path = self.path(name)
        validate_size(size_gb)
        if not self._exists_as_subvolume(path):
            self._subvolume_create(path)
        self._set_limit(path, size_gb * GiB)

    def delete(self, name: str) -> None:
        path = self.path(name)
        # leftovers of an interrupted revert go with the share
        for suffix in (REVERTING_SUFFIX, OLD_SUFFIX, ""):
            tree = path.with_name(path.name + suffix)
            self._remove_tree(tree)

    def resize(self, name: str, new_size_gb: int) -> None:
        path = self._existing(name)
        validate_size(new_size_gb)
        new_limit = new_size_gb * GiB
        current = self._qgroup(path, exact=False).max_referenced
        if current is None or new_limit < current:
            used = self._qgroup(path, exact=True).referenced
            if used > new_limit:
                raise ShrinkWouldLoseData(
                    f"share {name} holds {used} bytes, more than {new_size_gb} GiB")
        self._set_limit(path, new_limit)

    def size_gb(self, name: str) -> int | None:
        limit = self._qgroup(self._existing(name), exact=False).max_referenced
        return None if limit is None else math.ceil(limit / GiB)

    def usage_bytes(self, name: str) -> int:
        """Bytes the share references (shared with its snapshots or not), after a commit."""
        return self._qgroup(self._existing(name), exact=True).referenced

    # -- snapshots --------------------------------------------------------------------

    def snapshot(self, name: str, snap_name: str) -> None:
        source = self._existing(name)
        target = self.snapshot_path(snap_name)
        if self._exists_as_subvolume(target):
            return
        run(["btrfs", "subvolume", "snapshot", "-r", str(source), str(target)])

    def delete_snapshot(self, snap_name: str) -> None:
        self._remove_tree(self.snapshot_path(snap_name))

    def clone(self, snap_name: str, new_name: str, size_gb: int) -> None:
        source = self.snapshot_path(snap_name)
        target = self.path(new_name)
        validate_size(size_gb)
        if not self._exists_as_subvolume(target):
            if not self._exists_as_subvolume(source):
                raise NotFound(f"snapshot {snap_name} does not exist")
            run(["btrfs", "subvolume", "snapshot", str(source), str(target)])
        # a snapshot inherits its source's limit; the clone gets its own
        self._set_limit(target, size_gb * GiB)

    def _revert_prepare(self, name: str, snap_name: str) -> None:
        path = self.path(name)
        limit = self._qgroup(path, exact=False).max_referenced
        new = path.with_name(path.name + REVERTING_SUFFIX)
        run(["btrfs", "subvolume", "snapshot", str(self.snapshot_path(snap_name)), str(new)])
        if limit is not None:
            self._set_limit(new, limit)

    def _remove_tree(self, path: Path) -> None:
        """Delete a subvolume and its qgroup; a missing one is success."""
        if not os.path.lexists(path):
            return
        if not is_subvolume(path):
            raise DriverError(f"{path.name} is not a subvolume; not deleting it")
        subvolume_id = self._subvolume_id(path)
        try:
            run(["btrfs", "subvolume", "delete", "--commit-after", str(path)])
        except CommandError:
            if os.path.lexists(path):
                raise
            return  # deleted by a concurrent call
        # Recent kernels drop the qgroup themselves at the commit (destroy then says
        # ENOENT); older ones need it destroyed, and refuse (EBUSY) until their cleaner
        # has dropped the subvolume: such a stale qgroup counts nothing and is not in
        # provisioned_gb(); `btrfs qgroup clear-stale` removes it.
        result = run(["btrfs", "qgroup", "destroy", f"0/{subvolume_id}", str(self.root)],
                     check=False)
        if result.returncode != 0:
            LOG.debug("qgroup 0/%d not destroyed now: %s", subvolume_id, result.stderr.strip())

    # -- capacity ---------------------------------------------------------------------

    def capacity(self) -> Capacity:
        """From statfs(2), what df shows.

        On a single-device btrfs the kernel's statfs already counts free space in data
        chunks plus unallocated space usable for data (after the metadata reserve),
        which is what ``btrfs filesystem usage`` calls "Free (statfs, df)"; it needs no
        subprocess. (It misleads only on multi-device profiles, which a pool here is not.)
        """
        return statvfs_capacity(self.root)

    def provisioned_gb(self) -> float:
        limits = {q.subvolume_id: q.max_referenced for q in self._qgroups(self.root)}
        total = 0
        for subvolume_id in self._share_ids():
            total += limits.get(subvolume_id) or 0
        return total / GiB

    # -- manage -----------------------------------------------------------------------

    def adopt(self, path_or_name: str | Path) -> int:
        path = self._adopt_target(path_or_name)
        if not is_subvolume(path):
            raise Invalid(f"{path.name} is not a btrfs subvolume")
        ro = run(["btrfs", "property", "get", "-ts", str(path), "ro"]).stdout.strip()
        if ro != "ro=false":
            raise Invalid(f"{path.name} is a read-only subvolume (a snapshot?)")
        qgroup = self._qgroup(path, exact=True)
        if qgroup.max_referenced is not None:
            return math.ceil(qgroup.max_referenced / GiB)
        size_gb = max(1, math.ceil(qgroup.referenced / GiB))
        self._set_limit(path, size_gb * GiB)
        return size_gb

    # -- helpers ----------------------------------------------------------------------

    def _existing(self, name: str) -> Path:
        path = self.path(name)
        if not is_subvolume(path):
            raise NotFound(f"share {name} does not exist")
        return path

    def _exists_as_subvolume(self, path: Path) -> bool:
        if is_subvolume(path):
            return True
        if os.path.lexists(path):
            raise DriverError(f"{path.name} exists and is not a subvolume")
        return False

    @staticmethod
    def _subvolume_create(path: Path) -> None:
        try:
            run(["btrfs", "subvolume", "create", str(path)])
        except CommandError:
            if not is_subvolume(path):  # else a concurrent call made it
                raise

    @staticmethod
    def _set_limit(path: Path, limit_bytes: int) -> None:
        run(["btrfs", "qgroup", "limit", str(limit_bytes), str(path)])

    @staticmethod
    def _subvolume_id(path: Path) -> int:
        return int(run(["btrfs", "inspect-internal", "rootid", str(path)]).stdout.strip())

    def _qgroup(self, path: Path, *, exact: bool) -> Qgroup:
        """The level-0 qgroup of the subvolume at ``path``.

        ``exact``: commit first so the numbers include every write made before the call.
        """
        if exact:
            run(["btrfs", "filesystem", "sync", str(self.root)])
        groups = self._qgroups(path, exact=exact, only_path=True)
        if len(groups) != 1:
            raise DriverError(f"no quota group found for {path.name}")
        return groups[0]

    def _qgroups(self, path: Path, *, exact: bool = False,
                 only_path: bool = False) -> list[Qgroup]:
        argv = ["btrfs", "qgroup", "show", "-re", "--raw"]
        if only_path:
            argv.append("-f")
        result = run([*argv, str(path)])
        if exact and "inconsistent" in result.stderr:
            LOG.warning("btrfs qgroup accounting inconsistent on %s; rescanning", self.root)
            run(["btrfs", "quota", "rescan", "-w", str(self.root)], timeout=3600)
            result = run([*argv, str(path)])
        groups = []
        for line in result.stdout.splitlines():
            match = _QGROUP_LINE.fullmatch(line.strip())
            if match is None or match[1] != "0":
                continue
            groups.append(Qgroup(
                subvolume_id=int(match[2]), referenced=int(match[3]),
                exclusive=int(match[4]),
                max_referenced=None if match[5] == "none" else int(match[5])))
        return groups

    def _share_ids(self) -> list[int]:
        """IDs of the subvolumes directly in ``shares`` that have share names."""
        out = run(["btrfs", "subvolume", "list", "-o", str(self.shares_dir)]).stdout
        ids = []
        for line in out.splitlines():
            match = _SUBVOL_LINE.fullmatch(line.strip())
            if match is None:
                continue
            try:
                validate_name(match[2].rsplit("/", 1)[-1])
            except Invalid:
                continue  # e.g. the leftover of an interrupted revert
            ids.append(int(match[1]))
        return ids
