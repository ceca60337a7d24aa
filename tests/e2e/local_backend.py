"""Helpers for end-to-end tests of the local backend: real clients, real daemons."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tests.fixtures import servers


def local_backend(tmp: Path, nfs_port: int, smb_port: int, protocols: str,
                  **extra: Any) -> dict[str, Any]:
    return {"share_driver": "local", "driver_handles_share_servers": False,
            "local_loop_size_gb": 8, "local_export_address": "127.0.0.1",
            "local_nfs_port": nfs_port, "local_smb_port": smb_port,
            "local_protocols": protocols, "local_supervise_interval": 1, **extra}


def nfs_url(port: int, share_name: str, path: str = "") -> str:
    return f"nfs://127.0.0.1/{share_name}{path}?version=4&nfsport={port}"


def nfs(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                          check=False)


# libnfs 4.0's NFSv4 WRITE cannot encode more than about 1 KiB, so data goes through
# the pure-Python NFSv4.0 client of tests/fixtures/nfs4client.py.

def nfs_write(port: int, share_name: str, name: str, data: bytes | Iterable[bytes]) -> bool:
    from tests.fixtures.nfs4client import NFS4Client, NFS4Error

    try:
        with NFS4Client("127.0.0.1", port) as client:
            client.write_file(f"/{share_name}/{name}", data)
    except (NFS4Error, OSError) as exc:
        print(f"NFS write to {share_name}/{name}: {exc}")
        return False
    return True


def nfs_read(port: int, share_name: str, name: str) -> bytes | None:
    from tests.fixtures.nfs4client import NFS4Client, NFS4Error

    try:
        with NFS4Client("127.0.0.1", port) as client:
            return client.read_file(f"/{share_name}/{name}")
    except (NFS4Error, OSError):
        return None


def nfs_reachable(port: int, share_name: str) -> bool:
    """Whether a real client (libnfs's nfs-ls) may list the share."""
    return nfs("nfs-ls", nfs_url(port, share_name)).returncode == 0


def gib_chunks(gib: float, chunk: int = 1 << 20) -> Iterator[bytes]:
    block = os.urandom(chunk)
    for _ in range(int(gib * 1024 * 1024 * 1024) // chunk):
        yield block


def share_name(share: Any) -> str:
    """The backend name, from the export location ``addr:/name``."""
    return str(share.export_location_path).rsplit("/", 1)[-1]


def our_pids(marker: str) -> list[int]:
    """PIDs of live processes whose command line mentions ``marker`` (our state dir)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            pids.append(int(entry.name))
    return pids


def loop_devices_for(image: Path) -> str:
    return subprocess.run(["losetup", "-j", str(image)], capture_output=True, text=True,
                          check=False).stdout.strip()


def mounted(path: Path) -> bool:
    return str(path) in Path("/proc/self/mountinfo").read_text()


def export_path(mc: Any, share: Any) -> str:
    return str(mc.share_export_locations.list(share)[0].path)


__all__ = ["servers"]


def cleanup_state(state: Path) -> None:
    """Last-resort cleanup after a failed test: stop the processes started for this
    state directory (their command lines name it), unmount what is mounted below it and
    detach its loop device. Touches nothing else."""
    import signal
    import time

    for pid in our_pids(str(state)):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    for mountpoint in sorted((m for m in mounts if m.startswith(str(state))), reverse=True):
        subprocess.run(["umount", "-l", mountpoint], check=False)
    for image in state.glob("local/*/pool.img"):
        for line in loop_devices_for(image).splitlines():
            subprocess.run(["losetup", "-d", line.split(":", 1)[0]], check=False)


@contextmanager
def local_all_in_one(tmp: Path, backends: dict[str, Any],
                     groups: dict[str, dict[str, Any]] | None = None) -> Iterator[tuple[str, Any]]:
    """``servers.all_in_one`` for local backends: after the graceful stop nothing of the
    backend may remain (daemons, mounts, loop devices); a failed test is cleaned up."""
    state = tmp / "state"

    def leftovers() -> list[str]:
        found = [f"pid {p}" for p in our_pids(str(state))]
        found += [f"mount {line.split()[4]}" for line in
                  Path("/proc/self/mountinfo").read_text().splitlines()
                  if line.split()[4].startswith(str(state))]
        found += [loop_devices_for(i) for i in state.glob("local/*/pool.img")
                  if loop_devices_for(i)]
        return found

    try:
        with servers.all_in_one(tmp, backends, groups) as (url, proc):
            yield url, proc
    except BaseException:
        cleanup_state(state)
        raise
    # a detached loop device can stay listed for a few seconds
    remaining = leftovers()
    deadline = time.monotonic() + 30
    while remaining and time.monotonic() < deadline:
        time.sleep(0.5)
        remaining = leftovers()
    if remaining:
        cleanup_state(state)
    assert remaining == [], f"left behind after a graceful stop: {remaining}"
