"""BtrfsPool on a real btrfs: hard sizes, snapshots, clones, revert, crash recovery."""

from __future__ import annotations

import errno
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from abaca.common.errors import Invalid, NotFound
from abaca.share.drivers.local.btrfs import BtrfsPool, ShrinkWouldLoseData
from abaca.share.drivers.local.pool import REVERTING_SUFFIX, GiB, exchange

from .conftest import IMAGE_GB

pytestmark = pytest.mark.e2e

MiB = 1024**2


def fill(path: Path, nbytes: int) -> None:
    """Reserve ``nbytes`` without writing them (fallocate counts in the qgroup at once)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.posix_fallocate(fd, 0, nbytes)
    finally:
        os.close(fd)


def write(path: Path, nbytes: int) -> int:
    """Write real data in 4 MiB blocks; return how much was written before EDQUOT."""
    block = b"x" * (4 * MiB)
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        while written < nbytes:
            written += os.write(fd, block[: min(len(block), nbytes - written)])
    finally:
        os.close(fd)
    return written


def qgroup_ids(root: Path) -> set[int]:
    out = subprocess.run(["btrfs", "qgroup", "show", "--raw", str(root)],
                         capture_output=True, text=True, check=True).stdout
    return {int(line.split()[0].split("/")[1]) for line in out.splitlines()
            if line.startswith("0/")}


def subvolume_id(path: Path) -> int:
    return int(subprocess.run(["btrfs", "inspect-internal", "rootid", str(path)],
                              capture_output=True, text=True, check=True).stdout)


def wait_for(condition: Callable[[], bool], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_writing_past_the_size_fails_and_extend_makes_room(pool: BtrfsPool) -> None:
    pool.create("share-a", 1)
    pool.create("share-a", 1)  # again: no error, same share
    share = pool.path("share-a")
    assert pool.exists("share-a") and pool.size_gb("share-a") == 1
    fill(share / "big", 1000 * MiB)
    with pytest.raises(OSError) as err:
        write(share / "more", 100 * MiB)
    assert err.value.errno == errno.EDQUOT

    pool.resize("share-a", 2)
    assert pool.size_gb("share-a") == 2
    (share / "more").unlink()
    assert write(share / "more", 100 * MiB) == 100 * MiB
    fill(share / "big2", 800 * MiB)
    with pytest.raises(OSError) as err:
        write(share / "more", 200 * MiB)
    assert err.value.errno == errno.EDQUOT


def test_usage_counts_writes_not_yet_committed(pool: BtrfsPool) -> None:
    pool.create("share-a", 1)
    write(pool.path("share-a") / "f", 12 * MiB)  # no sync: still dirty in the page cache
    assert 12 * MiB <= pool.usage_bytes("share-a") < 13 * MiB


def test_shrink_below_usage_changes_nothing(pool: BtrfsPool) -> None:
    pool.create("share-a", 2)
    share = pool.path("share-a")
    fill(share / "big", 1200 * MiB)
    (share / "small").write_text("precious")
    with pytest.raises(ShrinkWouldLoseData):
        pool.resize("share-a", 1)
    assert pool.size_gb("share-a") == 2
    assert (share / "small").read_text() == "precious"
    assert (share / "big").stat().st_size == 1200 * MiB

    (share / "big").unlink()
    pool.resize("share-a", 1)  # now it fits
    assert pool.size_gb("share-a") == 1
    assert (share / "small").read_text() == "precious"


def test_snapshot_is_read_only_and_keeps_old_content(pool: BtrfsPool) -> None:
    pool.create("share-a", 1)
    (pool.path("share-a") / "f").write_text("v1")
    pool.snapshot("share-a", "snap-1")
    pool.snapshot("share-a", "snap-1")  # again: success
    (pool.path("share-a") / "f").write_text("v2")
    snap = pool.snapshot_path("snap-1")
    assert (snap / "f").read_text() == "v1"
    with pytest.raises(OSError) as err:
        (snap / "f").write_text("changed")
    assert err.value.errno == errno.EROFS
    with pytest.raises(NotFound):
        pool.snapshot("share-missing", "snap-2")


def test_clone_holds_snapshot_content_and_is_independent(pool: BtrfsPool) -> None:
    pool.create("share-a", 1)
    (pool.path("share-a") / "f").write_text("v1")
    pool.snapshot("share-a", "snap-1")
    (pool.path("share-a") / "f").write_text("v2")

    pool.clone("snap-1", "share-b", 2)
    pool.clone("snap-1", "share-b", 2)  # again: success
    clone = pool.path("share-b")
    assert (clone / "f").read_text() == "v1"
    (clone / "f").write_text("clone")
    (clone / "new").write_text("x")
    assert (pool.path("share-a") / "f").read_text() == "v2"
    assert (pool.snapshot_path("snap-1") / "f").read_text() == "v1"
    assert not (pool.path("share-a") / "new").exists()
    assert pool.size_gb("share-b") == 2 and pool.size_gb("share-a") == 1

    # the clone lives on without its origin
    pool.delete_snapshot("snap-1")
    pool.delete("share-a")
    assert (clone / "f").read_text() == "clone"
    with pytest.raises(NotFound):
        pool.clone("snap-1", "share-c", 1)


def test_revert_restores_snapshot_content_and_keeps_size(pool: BtrfsPool) -> None:
    pool.create("share-a", 1)
    share = pool.path("share-a")
    (share / "f").write_text("v1")
    pool.snapshot("share-a", "snap-1")
    (share / "f").write_text("v2")
    (share / "later").write_text("x")
    pool.resize("share-a", 3)

    pool.revert("share-a", "snap-1")
    assert (share / "f").read_text() == "v1"
    assert not (share / "later").exists()
    assert pool.size_gb("share-a") == 3
    (share / "f").write_text("writable again")
    assert sorted(p.name for p in pool.shares_dir.iterdir()) == ["share-a"]
    assert pool.provisioned_gb() == 3


@pytest.mark.parametrize("crash_after", ["prepare", "exchange"])
def test_revert_finishes_after_a_crash(pool: BtrfsPool, crash_after: str) -> None:
    pool.create("share-z", 1)
    (pool.path("share-z") / "f").write_text("other")
    pool.create("share-a", 2)
    share = pool.path("share-a")
    (share / "f").write_text("v1")
    pool.snapshot("share-a", "snap-1")
    (share / "f").write_text("v2")

    # the steps of revert(), stopped midway
    pool._revert_recover("share-a")
    pool._revert_prepare("share-a", "snap-1")
    if crash_after == "exchange":
        exchange(share, share.with_name(share.name + REVERTING_SUFFIX))
    # the share's path holds the old or the new tree, never nothing
    assert (share / "f").read_text() in {"v1", "v2"}

    pool.revert("share-a", "snap-1")
    assert (share / "f").read_text() == "v1"
    assert sorted(p.name for p in pool.shares_dir.iterdir()) == ["share-a", "share-z"]
    assert pool.size_gb("share-a") == 2
    assert pool.provisioned_gb() == 3
    assert (pool.path("share-z") / "f").read_text() == "other"


def test_delete_removes_subvolume_and_qgroup(pool: BtrfsPool) -> None:
    pool.create("share-a", 1)
    write(pool.path("share-a") / "f", 8 * MiB)
    pool.snapshot("share-a", "snap-1")
    share_id = subvolume_id(pool.path("share-a"))
    snap_id = subvolume_id(pool.snapshot_path("snap-1"))
    assert {share_id, snap_id} <= qgroup_ids(pool.root)

    pool.delete_snapshot("snap-1")
    pool.delete("share-a")
    assert not pool.exists("share-a") and not pool.path("share-a").exists()
    assert not pool.snapshot_path("snap-1").exists()
    assert wait_for(lambda: not {share_id, snap_id} & qgroup_ids(pool.root))
    pool.delete("share-a")  # missing: success
    pool.delete_snapshot("snap-1")
    assert pool.provisioned_gb() == 0


def test_capacity_and_provisioned(pool: BtrfsPool) -> None:
    total, free, used = pool.capacity()
    assert IMAGE_GB * 0.9 <= total <= IMAGE_GB
    assert 0 < free <= total and used >= 0
    assert abs(total - free - used) < 0.02

    pool.create("share-a", 1)
    pool.create("share-b", 2)
    pool.snapshot("share-a", "snap-1")  # snapshots are not provisioned space
    pool.clone("snap-1", "share-c", 3)
    assert pool.provisioned_gb() == 6

    fill(pool.path("share-b") / "big", GiB)
    # statfs counts new extents once btrfs commits them (within 30 s on its own)
    subprocess.run(["btrfs", "filesystem", "sync", str(pool.root)], check=True)
    after = pool.capacity()
    assert 0.9 <= free - after.free_gb <= 1.1
    assert after.total_gb == total


def test_adopt_existing_subvolumes(pool: BtrfsPool, tmp_path: Path) -> None:
    def btrfs(*args: str) -> None:
        subprocess.run(["btrfs", *args], check=True, capture_output=True)

    legacy = pool.shares_dir / "legacy"
    btrfs("subvolume", "create", str(legacy))
    fill(legacy / "data", 1500 * MiB)
    assert pool.adopt(str(legacy)) == 2  # usage rounded up, and now enforced
    assert pool.size_gb("legacy") == 2
    assert pool.adopt("legacy") == 2

    limited = pool.shares_dir / "limited"
    btrfs("subvolume", "create", str(limited))
    btrfs("qgroup", "limit", "3G", str(limited))
    assert pool.adopt(limited) == 3

    pool.forget("legacy")
    assert (legacy / "data").exists()

    pool.create("share-a", 1)
    pool.snapshot("share-a", "snap-1")
    (pool.shares_dir / "plain").mkdir()
    btrfs("subvolume", "snapshot", "-r", str(pool.path("share-a")),
          str(pool.shares_dir / "frozen"))
    outside = pool.root / "elsewhere"
    btrfs("subvolume", "create", str(outside))
    for bad in (pool.snapshot_path("snap-1"), pool.shares_dir / "plain",
                pool.shares_dir / "frozen", outside, tmp_path, "../snapshots/snap-1"):
        with pytest.raises(Invalid):
            pool.adopt(bad)
    with pytest.raises(NotFound):
        pool.adopt(pool.shares_dir / "nothing-here")
    btrfs("subvolume", "delete", str(outside))


HOSTILE = ["", ".", "..", "../x", "a/b", "/etc", "x\0y", "Share", "-rf", "a" * 81,
           "share-1\n", "a b", "snap;rm", "é", "a.reverting", "{x}", "*"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused(pool: BtrfsPool, name: str) -> None:
    pool.create("share-a", 1)
    pool.snapshot("share-a", "snap-1")
    before = sorted(str(p) for p in pool.root.rglob("*"))
    calls: list[Callable[[], object]] = [
        lambda: pool.create(name, 1), lambda: pool.delete(name),
        lambda: pool.resize(name, 2), lambda: pool.path(name),
        lambda: pool.snapshot("share-a", name), lambda: pool.snapshot(name, "snap-2"),
        lambda: pool.delete_snapshot(name), lambda: pool.clone(name, "share-b", 1),
        lambda: pool.clone("snap-1", name, 1), lambda: pool.revert(name, "snap-1"),
        lambda: pool.revert("share-a", name), lambda: pool.usage_bytes(name),
        lambda: pool.adopt(name), lambda: pool.forget(name), lambda: pool.exists(name),
    ]
    for call in calls:
        with pytest.raises(Invalid):
            call()
    assert sorted(str(p) for p in pool.root.rglob("*")) == before


def test_bad_sizes_are_refused(pool: BtrfsPool) -> None:
    for size in (0, -1, True):
        with pytest.raises(Invalid):
            pool.create("share-a", size)
    assert not pool.exists("share-a")


def test_timings(pool: BtrfsPool, capsys: pytest.CaptureFixture[str]) -> None:
    """Medians over 20 rounds (reported, with a loose bound so a regression shows)."""
    steps: dict[str, list[float]] = {"create+limit": [], "snapshot": [], "clone": [],
                                     "delete share": [], "delete snapshot": []}

    def timed(step: str, call: Callable[..., None], *args: object) -> None:
        start = time.perf_counter()
        call(*args)
        steps[step].append(time.perf_counter() - start)

    for i in range(20):
        timed("create+limit", pool.create, f"share-{i}", 1)
        (pool.path(f"share-{i}") / "f").write_text("x")
        timed("snapshot", pool.snapshot, f"share-{i}", f"snap-{i}")
        timed("clone", pool.clone, f"snap-{i}", f"clone-{i}", 1)
    for i in range(20):
        timed("delete share", pool.delete, f"clone-{i}")
        timed("delete snapshot", pool.delete_snapshot, f"snap-{i}")
        pool.delete(f"share-{i}")
    medians = {step: statistics.median(times) * 1000 for step, times in steps.items()}
    with capsys.disabled():
        print("\nbtrfs pool medians (ms): "
              + ", ".join(f"{step} {ms:.1f}" for step, ms in medians.items()))
    assert all(ms < 1000 for ms in medians.values())
