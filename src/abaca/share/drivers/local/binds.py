"""Bind mounts through which NFS-Ganesha exports btrfs subvolumes.

Each share gets ``<dir>/<name>``, a bind mount of its subvolume. Every step checks the
mount table first, so it can be repeated after a crash.
"""

from __future__ import annotations

import logging
from pathlib import Path

from abaca.share.drivers.local.loopdev import mounted_source
from abaca.share.drivers.local.pool import validate_name
from abaca.share.processutils import run

LOG = logging.getLogger(__name__)


class BindMounts:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def target(self, name: str) -> Path:
        return self.directory / validate_name(name)

    def bind(self, source: Path, name: str) -> Path:
        target = self.target(name)
        target.mkdir(parents=True, exist_ok=True)
        if mounted_source(target) is None:
            run(["mount", "--bind", "--", str(source), str(target)])
        return target

    def unbind(self, name: str) -> None:
        target = self.target(name)
        while mounted_source(target) is not None:  # stacked binds from an earlier life
            run(["umount", "--", str(target)])
        if target.exists():
            target.rmdir()

    def unbind_all(self) -> None:
        if not self.directory.exists():
            return
        for entry in sorted(self.directory.iterdir()):
            try:
                self.unbind(entry.name)
            except Exception:
                LOG.exception("could not remove the bind mount %s", entry)
