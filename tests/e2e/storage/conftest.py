"""A real btrfs on a loop-mounted sparse file per test, always unmounted and detached."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from abaca.share.drivers.local.btrfs import BtrfsPool
from abaca.share.drivers.local.loopdev import LoopFilesystem, mounted_source

IMAGE_GB = 4  # sparse: only what btrfs writes takes room on the host


def _loop_devices(image: Path) -> list[str]:
    out = subprocess.run(["losetup", "--associated", str(image)], capture_output=True,
                         text=True, check=False).stdout
    return [line.split(":", 1)[0] for line in out.splitlines() if line.startswith("/dev/")]


def _force_release(image: Path, mountpoint: Path) -> None:
    """Last-resort cleanup if release() failed: only our mountpoint, only our image's loops."""
    ours = _loop_devices(image)
    for _ in range(5):
        source = mounted_source(mountpoint)
        if source is None or source not in ours:
            break
        subprocess.run(["umount", str(mountpoint)], check=False)
    for device in ours:
        subprocess.run(["losetup", "--detach", device], check=False)


def assert_released(image: Path, mountpoint: Path) -> None:
    assert mounted_source(mountpoint) is None
    deadline = time.monotonic() + 5
    while _loop_devices(image) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _loop_devices(image) == []


@pytest.fixture
def loopfs(tmp_path: Path) -> Iterator[LoopFilesystem]:
    if os.geteuid() != 0:
        pytest.skip("needs root (loop devices, mount)")
    for tool in ("losetup", "mkfs.btrfs", "btrfs", "blkid", "mount"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    fs = LoopFilesystem(tmp_path / "pool.img", tmp_path / "mnt", IMAGE_GB)
    try:
        yield fs
    finally:
        try:
            fs.release()
        finally:
            _force_release(fs.image, fs.mountpoint)
            assert_released(fs.image, fs.mountpoint)
            fs.image.unlink(missing_ok=True)


@pytest.fixture
def pool(loopfs: LoopFilesystem) -> BtrfsPool:
    loopfs.ensure()
    p = BtrfsPool(loopfs.mountpoint)
    p.setup()
    return p
