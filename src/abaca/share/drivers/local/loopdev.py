"""The embedded default pool: a btrfs on a sparse image file, attached to a loop device.

Every step of ``ensure()`` looks before it acts, so the share service can call it at
each start, including after a crash halfway through an earlier call: the image is
created only if missing, attached only if no loop device backs it yet, formatted only
if it holds no filesystem, mounted only if nothing is mounted at the mountpoint.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from abaca.common.errors import DriverError
from abaca.share.processutils import run

__all__ = ["LoopFilesystem", "mounted_source"]

LOG = logging.getLogger(__name__)

_GiB = 1024**3
_LOSETUP_LINE = re.compile(r"(/dev/loop\d+): ")
_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def _unescape(field: str) -> str:
    return _OCTAL_ESCAPE.sub(lambda m: chr(int(m[1], 8)), field)


def mounted_source(mountpoint: Path) -> str | None:
    """The source of the topmost mount at ``mountpoint``, or None if nothing is mounted."""
    target = os.path.realpath(mountpoint)
    source = None
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 10 or _unescape(fields[4]) != target:
                continue
            after = fields[fields.index("-") + 1:]
            source = _unescape(after[1]) if len(after) > 1 else ""
    return source


class LoopFilesystem:
    """A btrfs in ``image`` (``size_gb`` sparse), mounted at ``mountpoint``."""

    def __init__(self, image: Path, mountpoint: Path, size_gb: int) -> None:
        if size_gb < 1:
            raise DriverError("the image size must be at least 1 GiB")
        self.image = Path(image)
        self.mountpoint = Path(mountpoint)
        self.size_gb = size_gb

    def ensure(self) -> str:
        """Make the filesystem mounted with quotas enabled; return the loop device."""
        self._ensure_image()
        device = self.device() or self._attach()
        self._ensure_filesystem(device)
        self._ensure_mounted(device)
        run(["btrfs", "quota", "enable", str(self.mountpoint)])
        return device

    def release(self) -> None:
        """Unmount and detach (for tests and an explicit clean-up); the image stays."""
        devices = self.devices()
        while (source := mounted_source(self.mountpoint)) is not None:
            if source not in devices:
                raise DriverError(f"{self.mountpoint} holds a mount that is not ours "
                                  f"({source}); not unmounting it")
            run(["umount", str(self.mountpoint)])
        for device in devices:
            # btrfs remembers scanned devices; forget this one before it is reused
            run(["btrfs", "device", "scan", "--forget", device], check=False)
            run(["losetup", "--detach", device])

    def devices(self) -> list[str]:
        """The loop devices backed by the image (normally none or one)."""
        if not self.image.exists():
            return []
        out = run(["losetup", "--associated", str(self.image)]).stdout
        return [m[1] for line in out.splitlines() if (m := _LOSETUP_LINE.match(line))]

    def device(self) -> str | None:
        devices = self.devices()
        if len(devices) > 1:
            LOG.warning("%s is attached to several loop devices: %s; using %s",
                        self.image, ", ".join(devices), devices[0])
        return devices[0] if devices else None

    def _ensure_image(self) -> None:
        self.image.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.image, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            # an empty file is a fresh one (or one a crash left just after creating it)
            if os.fstat(fd).st_size == 0:
                LOG.info("creating %s (%d GiB, sparse)", self.image, self.size_gb)
                os.ftruncate(fd, self.size_gb * _GiB)
        finally:
            os.close(fd)

    def _attach(self) -> str:
        device = run(["losetup", "--find", "--show", str(self.image)]).stdout.strip()
        if not _LOSETUP_LINE.match(device + ": "):
            raise DriverError(f"losetup gave no loop device for {self.image}")
        LOG.info("%s attached to %s", self.image, device)
        return device

    @staticmethod
    def _ensure_filesystem(device: str) -> None:
        # -p: probe the device itself, not blkid's cache; exit status 2 means "nothing"
        probe = run(["blkid", "-p", "-o", "value", "-s", "TYPE", device], check=False)
        fstype = probe.stdout.strip()
        if probe.returncode not in (0, 2):
            raise DriverError(f"cannot probe {device}: {probe.stderr.strip()[-200:]}")
        if fstype == "btrfs":
            return
        if fstype:
            raise DriverError(f"{device} holds a {fstype} filesystem, not btrfs")
        LOG.info("making a btrfs on %s", device)
        run(["mkfs.btrfs", "-q", device], timeout=300)

    def _ensure_mounted(self, device: str) -> None:
        source = mounted_source(self.mountpoint)
        if source == device:
            return
        if source is not None:
            raise DriverError(f"{self.mountpoint} already holds another mount ({source})")
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        run(["mount", "-t", "btrfs", device, str(self.mountpoint)])
        LOG.info("%s mounted at %s", device, self.mountpoint)
