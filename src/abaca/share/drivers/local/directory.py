"""A pool of plain directories, for any filesystem: sizes are recorded, not enforced.

Snapshots, clones and reverts are copies (``cp -a --reflink=auto``: instant and
copy-on-write where the filesystem can, a full copy where it cannot). A copy is made
under a name no share or snapshot can have and renamed into place when complete, so a
crash never leaves a half-copied snapshot or share under a real name. Sizes live in
``<root>/sizes/<name>``.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

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
from abaca.share.processutils import run

__all__ = ["DirectoryPool"]

_PARTIAL_SUFFIX = ".partial"


def _is_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


class DirectoryPool(StoragePool):
    enforces_size = False

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.sizes_dir = self.root / "sizes"

    def setup(self) -> None:
        if not _is_dir(self.root):
            raise DriverError(f"{self.root} is not a directory")
        for directory in (self.shares_dir, self.snapshots_dir, self.sizes_dir):
            directory.mkdir(mode=0o755, exist_ok=True)

    # -- shares -----------------------------------------------------------------------

    def exists(self, name: str) -> bool:
        return _is_dir(self.path(name))

    def snapshot_exists(self, snap_name: str) -> bool:
        return _is_dir(self.snapshot_path(snap_name))

    def create(self, name: str, size_gb: int) -> None:
        path = self.path(name)
        validate_size(size_gb)
        if not _is_dir(path):
            path.mkdir(mode=0o755)
        self._record_size(name, size_gb)

    def delete(self, name: str) -> None:
        path = self.path(name)
        for suffix in (REVERTING_SUFFIX + _PARTIAL_SUFFIX, REVERTING_SUFFIX, OLD_SUFFIX,
                       _PARTIAL_SUFFIX, ""):
            self._remove_tree(path.with_name(path.name + suffix))
        self._size_file(name).unlink(missing_ok=True)

    def resize(self, name: str, new_size_gb: int) -> None:
        self._existing(name)
        validate_size(new_size_gb)
        current = self.size_gb(name)
        if current is None or new_size_gb < current:
            used = self.usage_bytes(name)
            if used > new_size_gb * GiB:
                raise ShrinkWouldLoseData(
                    f"share {name} holds {used} bytes, more than {new_size_gb} GiB")
        self._record_size(name, new_size_gb)

    def size_gb(self, name: str) -> int | None:
        self._existing(name)
        try:
            return int(self._size_file(name).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def usage_bytes(self, name: str) -> int:
        """Bytes allocated on disk under the share (``du``: hard links counted once)."""
        path = self._existing(name)
        out = run(["du", "--summarize", "--block-size=1", "--one-file-system", str(path)],
                  timeout=600).stdout
        return int(out.split()[0])

    # -- snapshots --------------------------------------------------------------------

    def snapshot(self, name: str, snap_name: str) -> None:
        source = self._existing(name)
        target = self.snapshot_path(snap_name)
        if not _is_dir(target):
            self._copy(source, target)

    def delete_snapshot(self, snap_name: str) -> None:
        target = self.snapshot_path(snap_name)
        self._remove_tree(target.with_name(target.name + _PARTIAL_SUFFIX))
        self._remove_tree(target)

    def clone(self, snap_name: str, new_name: str, size_gb: int) -> None:
        source = self.snapshot_path(snap_name)
        target = self.path(new_name)
        validate_size(size_gb)
        if not _is_dir(target):
            if not _is_dir(source):
                raise NotFound(f"snapshot {snap_name} does not exist")
            self._copy(source, target)
        self._record_size(new_name, size_gb)

    def _revert_prepare(self, name: str, snap_name: str) -> None:
        path = self.path(name)
        self._copy(self.snapshot_path(snap_name),
                   path.with_name(path.name + REVERTING_SUFFIX))

    def _remove_tree(self, path: Path) -> None:
        if path.is_symlink():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)

    # -- capacity ---------------------------------------------------------------------

    def capacity(self) -> Capacity:
        return statvfs_capacity(self.root)

    def provisioned_gb(self) -> float:
        total = 0
        for entry in os.scandir(self.shares_dir):
            try:
                size = self.size_gb(entry.name)
            except (Invalid, NotFound):
                continue  # not a share (a leftover copy, a stray file)
            total += size or 0
        return float(total)

    # -- manage -----------------------------------------------------------------------

    def adopt(self, path_or_name: str | Path) -> int:
        path = self._adopt_target(path_or_name)
        if not _is_dir(path):
            raise Invalid(f"{path.name} is not a directory")
        size = self.size_gb(path.name)
        if size is None:
            size = max(1, math.ceil(self.usage_bytes(path.name) / GiB))
            self._record_size(path.name, size)
        return size

    # -- helpers ----------------------------------------------------------------------

    def _existing(self, name: str) -> Path:
        path = self.path(name)
        if not _is_dir(path):
            raise NotFound(f"share {name} does not exist")
        return path

    def _size_file(self, name: str) -> Path:
        return self.sizes_dir / validate_name(name)

    def _record_size(self, name: str, size_gb: int) -> None:
        final = self._size_file(name)
        partial = final.with_name(final.name + _PARTIAL_SUFFIX)
        partial.write_text(f"{size_gb}\n")
        os.replace(partial, final)

    def _copy(self, source: Path, target: Path) -> None:
        """Copy a tree to ``target`` through a partial name, so it appears only complete."""
        partial = target.with_name(target.name + _PARTIAL_SUFFIX)
        self._remove_tree(partial)
        run(["cp", "-a", "--reflink=auto", "--no-target-directory", str(source),
             str(partial)], timeout=3600)
        os.rename(partial, target)
