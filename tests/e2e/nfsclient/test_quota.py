"""Writing past a btrfs qgroup limit over NFSv4 fails with a quota error, until resized."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from abaca.share.drivers.local.binds import BindMounts
from abaca.share.drivers.local.btrfs import BtrfsPool
from abaca.share.drivers.local.loopdev import LoopFilesystem, mounted_source
from abaca.share.protocols.ganesha import GaneshaServer
from tests.fixtures.nfs4client import NFS4Client, NFS4Error

from .conftest import HOST, RW, free_port, needs_ganesha, our_pids

pytestmark = pytest.mark.e2e

MiB, GiB = 1024**2, 1024**3
QUOTA_ERRORS = {"NFS4ERR_DQUOT", "NFS4ERR_NOSPC"}


@dataclass
class QuotaShare:
    pool: BtrfsPool
    port: int
    subvolume: Path


def _loop_devices(image: Path) -> str:
    return subprocess.run(["losetup", "--associated", str(image)], capture_output=True,
                          text=True, check=False).stdout.strip()


@pytest.fixture
def quota_share(tmp_path: Path) -> Iterator[QuotaShare]:
    """A 1 GiB share (btrfs subvolume with a qgroup limit) exported read-write."""
    needs_ganesha()
    for tool in ("losetup", "mkfs.btrfs", "btrfs", "mount"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    loopfs = LoopFilesystem(tmp_path / "pool.img", tmp_path / "pool", 4)
    binds = BindMounts(tmp_path / "binds")
    ganesha = GaneshaServer(tmp_path / "ganesha", HOST, free_port())
    try:
        loopfs.ensure()
        pool = BtrfsPool(loopfs.mountpoint)
        pool.setup()
        pool.create("share-a", 1)
        exported = binds.bind(pool.path("share-a"), "share-a")
        ganesha.start()
        ganesha.export(2, str(exported), "/share-a", RW)
        yield QuotaShare(pool, ganesha.port, pool.path("share-a"))
    finally:
        try:
            ganesha.stop()  # first: it holds files open under the bind mount
        finally:
            try:
                binds.unbind_all()
            finally:
                loopfs.release()
    assert our_pids(ganesha.workdir) == set()
    assert mounted_source(binds.target("share-a")) is None
    assert mounted_source(loopfs.mountpoint) is None
    deadline = time.monotonic() + 30  # the kernel lets a loop device go in its own time
    while _loop_devices(loopfs.image) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _loop_devices(loopfs.image) == ""
    loopfs.image.unlink()


def _pattern(total: int) -> Iterator[bytes]:
    """``total`` incompressible bytes, made as they are sent (never all in memory)."""
    block = hashlib.shake_256(b"quota").digest(MiB)
    for index in range(0, total, MiB):
        yield (index.to_bytes(8, "big") + block[8:])[:total - index]


@pytest.mark.timeout(900)
def test_quota_overflow_then_resize(quota_share: QuotaShare) -> None:
    size = int(1.2 * GiB)
    expected = hashlib.sha256()
    for block in _pattern(size):
        expected.update(block)

    with NFS4Client(HOST, quota_share.port) as nfs:
        with pytest.raises(NFS4Error) as overflow:
            nfs.write_file("/share-a/big", _pattern(size))
        stopped_at = (quota_share.subvolume / "big").stat().st_size
        print(f"\nquota overflow over NFSv4: {overflow.value}; the file had {stopped_at} "
              f"bytes ({stopped_at - GiB:+d} from 1 GiB)")
        assert overflow.value.name in QUOTA_ERRORS
        assert overflow.value.op in ("WRITE", "COMMIT", "CLOSE")
        # Pipelined WRITEs past the one refused may still land: a few MiB at most.
        assert GiB - 64 * MiB < stopped_at < GiB + 16 * MiB

        quota_share.pool.resize("share-a", 3)
        assert nfs.write_file("/share-a/big", _pattern(size)) == size
        assert (quota_share.subvolume / "big").stat().st_size == size
        digest = hashlib.sha256()
        for block in nfs.read_chunks("/share-a/big"):
            digest.update(block)
        assert digest.hexdigest() == expected.hexdigest()
