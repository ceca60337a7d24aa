"""A small JSON file the local driver keeps beside its pool: NFS export ids by share.

Ganesha export ids are 16-bit and must stay stable for a share across restarts; the
driver has no database, so it records them here (written atomically).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

FIRST_ID = 2  # Ganesha uses 0 for the pseudo root; leave 1 free too
LAST_ID = 65535


class ExportIds:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _load(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        return {str(k): int(v) for k, v in data.items()}

    def _save(self, ids: dict[str, int]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(ids, sort_keys=True))
        os.replace(tmp, self.path)

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._load())

    def get(self, name: str) -> int | None:
        with self._lock:
            return self._load().get(name)

    def assign(self, name: str) -> int:
        """The share's id, allocating the lowest free one the first time."""
        with self._lock:
            ids = self._load()
            if name in ids:
                return ids[name]
            used = set(ids.values())
            for candidate in range(FIRST_ID, LAST_ID + 1):
                if candidate not in used:
                    ids[name] = candidate
                    self._save(ids)
                    return candidate
        raise RuntimeError("all 65534 NFS export ids are in use on this backend")

    def release(self, name: str) -> None:
        with self._lock:
            ids = self._load()
            if ids.pop(name, None) is not None:
                self._save(ids)

    def rename(self, old: str, new: str) -> None:
        with self._lock:
            ids = self._load()
            if old in ids:
                ids[new] = ids.pop(old)
                self._save(ids)
