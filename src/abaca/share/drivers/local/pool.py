"""What a storage pool of the ``local`` driver offers, and the pieces its kinds share.

A pool keeps shares at ``<root>/shares/<name>`` and snapshots at
``<root>/snapshots/<name>``. Names are checked against a strict grammar before they
reach a path or a command line. Sizes are whole GiB.

Revert replaces a share's tree by a copy of a snapshot in three steps that a repeated
call can always finish or undo: the copy is made beside the share as
``<name>.reverting`` (a name no share can have), the two are swapped with
``renameat2(RENAME_EXCHANGE)`` so the share's path always holds either the old or the
new tree, and the leftover is removed. On a filesystem without RENAME_EXCHANGE the swap
is two renames through ``<name>.old``; recovery knows that state too.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from abaca.common.errors import DriverError, Invalid, NotFound
from abaca.share.driver_api import ShrinkWouldLoseData

__all__ = [
    "Capacity",
    "GiB",
    "ShrinkWouldLoseData",
    "StoragePool",
    "exchange",
    "recover_swap",
    "swap_in",
    "validate_name",
]

LOG = logging.getLogger(__name__)

GiB = 1024**3

# Lower-case letters, digits and dashes, not starting with a dash; this covers
# "share-<uuid>" and "snapshot-<uuid>" and keeps '/', '.', NUL and option-like values out.
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")

REVERTING_SUFFIX = ".reverting"
OLD_SUFFIX = ".old"


class Capacity(NamedTuple):
    total_gb: float
    free_gb: float
    used_gb: float


def validate_name(name: str) -> str:
    """Return ``name`` if it may become a path component; raise Invalid otherwise."""
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise Invalid(f"invalid share or snapshot name: {name!r:.100}")
    return name


def validate_size(size_gb: int) -> int:
    if isinstance(size_gb, bool) or not isinstance(size_gb, int) or size_gb < 1:
        raise Invalid(f"invalid size: {size_gb!r:.40}")
    return size_gb


def statvfs_capacity(path: Path) -> Capacity:
    st = os.statvfs(path)
    total = st.f_blocks * st.f_frsize
    free = st.f_bavail * st.f_frsize
    return Capacity(total_gb=round(total / GiB, 2), free_gb=round(free / GiB, 2),
                    used_gb=round((total - free) / GiB, 2))


class StoragePool(ABC):
    """Shares and snapshots on one filesystem tree."""

    #: whether the size of a share is a hard limit (False: it is only recorded)
    enforces_size: bool

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.shares_dir = self.root / "shares"
        self.snapshots_dir = self.root / "snapshots"

    @abstractmethod
    def setup(self) -> None:
        """Check the root and create the share and snapshot directories (idempotent)."""

    def path(self, name: str) -> Path:
        return self.shares_dir / validate_name(name)

    def snapshot_path(self, snap_name: str) -> Path:
        return self.snapshots_dir / validate_name(snap_name)

    @abstractmethod
    def exists(self, name: str) -> bool: ...

    @abstractmethod
    def snapshot_exists(self, snap_name: str) -> bool: ...

    @abstractmethod
    def create(self, name: str, size_gb: int) -> None:
        """Create the share, or make an existing one have this size."""

    @abstractmethod
    def delete(self, name: str) -> None:
        """Delete the share with its data; a missing share is success."""

    @abstractmethod
    def resize(self, name: str, new_size_gb: int) -> None:
        """Change the size; below the used space raise ShrinkWouldLoseData, change nothing."""

    @abstractmethod
    def size_gb(self, name: str) -> int | None:
        """The share's size (its limit), or None if it has none."""

    @abstractmethod
    def usage_bytes(self, name: str) -> int: ...

    @abstractmethod
    def snapshot(self, name: str, snap_name: str) -> None:
        """Take a point-in-time copy of the share; an existing snapshot is success."""

    @abstractmethod
    def delete_snapshot(self, snap_name: str) -> None:
        """Delete the snapshot; a missing one is success."""

    @abstractmethod
    def clone(self, snap_name: str, new_name: str, size_gb: int) -> None:
        """A new writable share holding the snapshot's content, with its own size."""

    def revert(self, name: str, snap_name: str) -> None:
        """Make the snapshot's content the share's again, keeping its size.

        Safe to call again after a crash at any point: it first finishes or undoes
        what an earlier call left, then reverts.
        """
        validate_name(name)
        if not self.snapshot_exists(snap_name):
            raise NotFound(f"snapshot {snap_name} does not exist")
        self._revert_recover(name)
        if not self.exists(name):
            raise NotFound(f"share {name} does not exist")
        self._revert_prepare(name, snap_name)
        self._revert_swap(name)

    def _revert_recover(self, name: str) -> None:
        recover_swap(self.path(name), self._remove_tree)

    @abstractmethod
    def _revert_prepare(self, name: str, snap_name: str) -> None:
        """Make ``<name>.reverting``: a writable copy of the snapshot, with the size."""

    def _revert_swap(self, name: str) -> None:
        swap_in(self.path(name), self._remove_tree)

    @abstractmethod
    def _remove_tree(self, path: Path) -> None:
        """Remove a share-like tree at ``path`` (a leftover of revert); missing is fine."""

    @abstractmethod
    def capacity(self) -> Capacity: ...

    @abstractmethod
    def provisioned_gb(self) -> float:
        """The sum of the sizes of all shares."""

    @abstractmethod
    def adopt(self, path_or_name: str | Path) -> int:
        """Take an existing share under ``<root>/shares`` into management; return its size.

        The share's name is the last component of the path. A share without a size gets
        its usage rounded up to whole GiB (at least 1), and that becomes its size.
        """

    def forget(self, name: str) -> None:
        """Unmanage: the share's data and size stay where they are; nothing changes."""
        validate_name(name)

    def _adopt_target(self, path_or_name: str | Path) -> Path:
        """The share directory meant by a name or a path, checked to be one of ours."""
        if isinstance(path_or_name, str) and "/" not in path_or_name:
            return self.path(path_or_name)
        given = Path(path_or_name)
        if "\0" in str(given) or not given.is_absolute():
            raise Invalid("give a share name or an absolute path")
        try:
            resolved = given.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise NotFound(f"{str(given)[:200]} does not exist") from exc
        if resolved.parent != self.shares_dir.resolve():
            if resolved.is_relative_to(self.snapshots_dir.resolve()):
                raise Invalid("a snapshot cannot be managed as a share")
            raise Invalid(f"only a directory directly in {self.shares_dir} can be managed")
        return self.path(resolved.name)


# renameat2(2) is not in Python's os module; glibc has had it since 2.28.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(None, use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)
if _renameat2 is not None:
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                           ctypes.c_uint]
    _renameat2.restype = ctypes.c_int


def exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically; OSError(EINVAL/ENOSYS) if the filesystem cannot."""
    if _renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE):
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(a), None, str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap_in(path: Path, remove: Callable[[Path], None]) -> None:
    """Put ``<path>.reverting`` at ``path`` and remove what was there."""
    new = path.with_name(path.name + REVERTING_SUFFIX)
    try:
        exchange(path, new)
        _fsync_dir(path.parent)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise DriverError(f"cannot swap {path.name} for its reverted copy") from exc
        # No RENAME_EXCHANGE here: two renames; recover_swap() knows the state between.
        old = path.with_name(path.name + OLD_SUFFIX)
        os.rename(path, old)
        os.rename(new, path)
        _fsync_dir(path.parent)
        remove(old)
        return
    remove(new)  # after the exchange it holds the old tree


def recover_swap(path: Path, remove: Callable[[Path], None]) -> None:
    """Bring a share an interrupted revert left back to just ``path`` (old or new tree).

    ``<path>.reverting`` next to an existing ``path`` is either an unfinished copy or,
    after the exchange, the old tree: removed in both cases, and the caller reverts again.
    Without ``path`` (only between the two renames of the fallback), the complete new
    tree is put in place, or else the old one is put back.
    """
    new = path.with_name(path.name + REVERTING_SUFFIX)
    old = path.with_name(path.name + OLD_SUFFIX)
    if not os.path.lexists(path):
        if os.path.lexists(new) and os.path.lexists(old):
            LOG.info("revert of %s: putting the reverted copy in place", path.name)
            os.rename(new, path)
        elif os.path.lexists(old):
            LOG.info("revert of %s: putting the old tree back", path.name)
            os.rename(old, path)
    for leftover in (new, old):
        if os.path.lexists(leftover):
            LOG.info("revert of %s: removing leftover %s", path.name, leftover.name)
            remove(leftover)
