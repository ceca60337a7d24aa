"""DirectoryPool on whatever filesystem the test directory is on; no root needed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from abaca.common.errors import Invalid, NotFound
from abaca.share.drivers.local.directory import DirectoryPool
from abaca.share.drivers.local.pool import (
    OLD_SUFFIX,
    REVERTING_SUFFIX,
    GiB,
    ShrinkWouldLoseData,
    StoragePool,
    exchange,
)


@pytest.fixture
def pool(tmp_path: Path) -> DirectoryPool:
    p = DirectoryPool(tmp_path / "pool")
    (tmp_path / "pool").mkdir()
    p.setup()
    p.setup()  # idempotent
    return p


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_is_a_storage_pool_that_does_not_enforce_sizes(pool: DirectoryPool) -> None:
    assert isinstance(pool, StoragePool)
    assert pool.enforces_size is False


def test_setup_needs_an_existing_root(tmp_path: Path) -> None:
    from abaca.common.errors import DriverError

    with pytest.raises(DriverError):
        DirectoryPool(tmp_path / "missing").setup()


def test_create_delete_and_sizes(pool: DirectoryPool) -> None:
    pool.create("share-a", 1)
    pool.create("share-a", 1)
    assert pool.exists("share-a") and pool.size_gb("share-a") == 1
    (pool.path("share-a") / "f").write_text("x")
    pool.resize("share-a", 5)
    assert pool.size_gb("share-a") == 5
    pool.resize("share-a", 2)
    assert pool.size_gb("share-a") == 2
    pool.create("share-b", 3)
    assert pool.provisioned_gb() == 5
    pool.delete("share-a")
    pool.delete("share-a")
    assert not pool.exists("share-a")
    assert names(pool.sizes_dir) == ["share-b"]
    with pytest.raises(NotFound):
        pool.resize("share-a", 1)


def test_shrink_below_usage_changes_nothing(pool: DirectoryPool,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pool.create("share-a", 3)
    (pool.path("share-a") / "f").write_text("precious")
    monkeypatch.setattr(pool, "usage_bytes", lambda name: 2 * GiB + 1)
    with pytest.raises(ShrinkWouldLoseData):
        pool.resize("share-a", 2)
    assert pool.size_gb("share-a") == 3
    assert (pool.path("share-a") / "f").read_text() == "precious"
    pool.resize("share-a", 4)  # extending never needs the usage
    assert pool.size_gb("share-a") == 4


def test_usage_counts_allocated_bytes(pool: DirectoryPool) -> None:
    pool.create("share-a", 1)
    (pool.path("share-a") / "f").write_bytes(os.urandom(3 * 1024 * 1024))
    assert 3 * 1024 * 1024 <= pool.usage_bytes("share-a") < 4 * 1024 * 1024


def test_snapshot_clone_and_revert(pool: DirectoryPool) -> None:
    pool.create("share-a", 1)
    share = pool.path("share-a")
    (share / "f").write_text("v1")
    (share / "sub").mkdir()
    (share / "sub" / "g").write_text("g1")
    pool.snapshot("share-a", "snap-1")
    pool.snapshot("share-a", "snap-1")
    (share / "f").write_text("v2")
    (share / "later").write_text("x")
    assert (pool.snapshot_path("snap-1") / "f").read_text() == "v1"

    pool.clone("snap-1", "share-b", 2)
    clone = pool.path("share-b")
    assert (clone / "f").read_text() == "v1" and (clone / "sub" / "g").read_text() == "g1"
    (clone / "f").write_text("clone")
    assert (pool.snapshot_path("snap-1") / "f").read_text() == "v1"
    assert (share / "f").read_text() == "v2"
    assert pool.size_gb("share-b") == 2

    pool.resize("share-a", 3)
    pool.revert("share-a", "snap-1")
    assert (share / "f").read_text() == "v1"
    assert not (share / "later").exists()
    assert pool.size_gb("share-a") == 3
    assert (clone / "f").read_text() == "clone"
    assert names(pool.shares_dir) == ["share-a", "share-b"]

    pool.delete_snapshot("snap-1")
    pool.delete_snapshot("snap-1")
    assert names(pool.snapshots_dir) == []
    with pytest.raises(NotFound):
        pool.revert("share-a", "snap-1")
    with pytest.raises(NotFound):
        pool.clone("snap-1", "share-c", 1)


def _crash_after_prepare(pool: DirectoryPool, share: Path) -> None:
    pool._revert_prepare("share-a", "snap-1")


def _crash_after_exchange(pool: DirectoryPool, share: Path) -> None:
    pool._revert_prepare("share-a", "snap-1")
    exchange(share, share.with_name(share.name + REVERTING_SUFFIX))


def _crash_between_fallback_renames(pool: DirectoryPool, share: Path) -> None:
    pool._revert_prepare("share-a", "snap-1")
    share.rename(share.with_name(share.name + OLD_SUFFIX))


def _crash_after_fallback_renames(pool: DirectoryPool, share: Path) -> None:
    _crash_between_fallback_renames(pool, share)
    share.with_name(share.name + REVERTING_SUFFIX).rename(share)


def _crash_during_copy(pool: DirectoryPool, share: Path) -> None:
    partial = share.with_name(share.name + REVERTING_SUFFIX + ".partial")
    partial.mkdir()
    (partial / "f").write_text("half")


@pytest.mark.parametrize("crash", [_crash_after_prepare, _crash_after_exchange,
                                   _crash_between_fallback_renames,
                                   _crash_after_fallback_renames, _crash_during_copy])
def test_revert_finishes_after_a_crash(pool: DirectoryPool,
                                       crash: Callable[[DirectoryPool, Path], None]) -> None:
    pool.create("share-a", 2)
    pool.create("share-z", 1)
    (pool.path("share-z") / "f").write_text("other")
    share = pool.path("share-a")
    (share / "f").write_text("v1")
    pool.snapshot("share-a", "snap-1")
    (share / "f").write_text("v2")

    crash(pool, share)

    pool.revert("share-a", "snap-1")
    assert (share / "f").read_text() == "v1"
    assert names(pool.shares_dir) == ["share-a", "share-z"]
    assert pool.size_gb("share-a") == 2
    assert (pool.path("share-z") / "f").read_text() == "other"


def test_delete_takes_revert_leftovers(pool: DirectoryPool) -> None:
    pool.create("share-a", 1)
    pool.snapshot("share-a", "snap-1")
    _crash_after_exchange(pool, pool.path("share-a"))
    pool.delete("share-a")
    assert names(pool.shares_dir) == []


def test_adopt_and_forget(pool: DirectoryPool, tmp_path: Path) -> None:
    legacy = pool.shares_dir / "legacy"
    legacy.mkdir()
    (legacy / "f").write_text("old data")
    assert pool.adopt(str(legacy)) == 1
    assert pool.size_gb("legacy") == 1
    pool.resize("legacy", 4)
    assert pool.adopt("legacy") == 4
    pool.forget("legacy")
    assert (legacy / "f").read_text() == "old data" and pool.size_gb("legacy") == 4

    pool.create("share-a", 1)
    pool.snapshot("share-a", "snap-1")
    (pool.shares_dir / "afile").write_text("")
    outside = tmp_path / "outside"
    outside.mkdir()
    (pool.shares_dir / "link").symlink_to(outside)
    for bad in (pool.snapshot_path("snap-1"), pool.shares_dir / "afile", outside,
                pool.shares_dir / "link", "relative/path", Path("shares/legacy")):
        with pytest.raises(Invalid):
            pool.adopt(bad)
    with pytest.raises(NotFound):
        pool.adopt(pool.shares_dir / "missing")
    with pytest.raises(Invalid):
        pool.adopt("link")  # a symlink, not a directory


def test_capacity(pool: DirectoryPool) -> None:
    total, free, used = pool.capacity()
    assert total > 0 and 0 <= free <= total
    assert abs(total - free - used) < 0.02


HOSTILE = ["", ".", "..", "../x", "a/b", "/etc", "x\0y", "Share", "-rf", "a" * 81,
           "share-1\n", "a b", "é", "a.reverting", "a.old", "a.partial", "{x}"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused(pool: DirectoryPool, name: str) -> None:
    pool.create("share-a", 1)
    pool.snapshot("share-a", "snap-1")
    before = sorted(str(p) for p in pool.root.rglob("*"))
    calls: list[Callable[[], object]] = [
        lambda: pool.create(name, 1), lambda: pool.delete(name),
        lambda: pool.resize(name, 2), lambda: pool.size_gb(name),
        lambda: pool.snapshot("share-a", name), lambda: pool.snapshot(name, "snap-2"),
        lambda: pool.delete_snapshot(name), lambda: pool.clone(name, "share-b", 1),
        lambda: pool.clone("snap-1", name, 1), lambda: pool.revert(name, "snap-1"),
        lambda: pool.revert("share-a", name), lambda: pool.forget(name),
    ]
    for call in calls:
        with pytest.raises(Invalid):
            call()
    assert sorted(str(p) for p in pool.root.rglob("*")) == before
