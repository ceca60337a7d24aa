"""The embedded loop-mounted btrfs: created once, never attached or mounted twice."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from abaca.share.drivers.local.loopdev import LoopFilesystem, mounted_source

from .conftest import IMAGE_GB, assert_released

pytestmark = pytest.mark.e2e


def _mount_count(mountpoint: Path) -> int:
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        return sum(1 for line in f if line.split()[4] == str(mountpoint))


def _quota_enabled(mountpoint: Path) -> bool:
    return subprocess.run(["btrfs", "qgroup", "show", str(mountpoint)], capture_output=True,
                          check=False).returncode == 0


def test_ensure_is_idempotent(loopfs: LoopFilesystem) -> None:
    device = loopfs.ensure()
    assert loopfs.image.stat().st_size == IMAGE_GB * 1024**3
    assert loopfs.image.stat().st_blocks * 512 < 64 * 1024**2  # sparse
    assert loopfs.ensure() == device
    # a restarted service builds a new object for the same image
    again = LoopFilesystem(loopfs.image, loopfs.mountpoint, IMAGE_GB)
    assert again.ensure() == device
    assert loopfs.devices() == [device]
    assert _mount_count(loopfs.mountpoint) == 1
    assert mounted_source(loopfs.mountpoint) == device
    assert _quota_enabled(loopfs.mountpoint)


def test_ensure_after_release_keeps_data(loopfs: LoopFilesystem) -> None:
    loopfs.ensure()
    (loopfs.mountpoint / "kept").write_text("data")
    loopfs.release()
    assert_released(loopfs.image, loopfs.mountpoint)
    loopfs.ensure()  # attach again, find the filesystem, do not format it
    assert (loopfs.mountpoint / "kept").read_text() == "data"


def test_ensure_finishes_half_done_start(loopfs: LoopFilesystem) -> None:
    """A crash after attaching but before mounting: the next ensure() reuses the device."""
    device = loopfs.ensure()
    (loopfs.mountpoint / "kept").write_text("data")
    subprocess.run(["umount", str(loopfs.mountpoint)], check=True)
    assert loopfs.ensure() == device
    assert loopfs.devices() == [device]
    assert (loopfs.mountpoint / "kept").read_text() == "data"


def test_release_twice_is_harmless(loopfs: LoopFilesystem) -> None:
    loopfs.ensure()
    loopfs.release()
    loopfs.release()
    assert_released(loopfs.image, loopfs.mountpoint)
