"""A real NFS-Ganesha per test on 127.0.0.1, and the user-space libnfs client to reach it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from abaca.share.protocols.ganesha import GaneshaServer
from tests.fixtures.procs import free_port, pids_running_from

# How a refused client shows up in libnfs: the mount (PUTROOTFH + LOOKUP of the pseudo
# path) fails with NOENT, because Ganesha hides exports a client may not reach.
REFUSED = ("NFS4ERR_NOENT", "NFS4ERR_ACCESS", "NFS4ERR_PERM")


@dataclass
class NfsClient:
    """libnfs command-line tools (``nfs-ls``, ``nfs-cp``, ``nfs-cat``) over NFSv4."""

    host: str
    port: int
    scratch: Path

    def url(self, pseudo: str, name: str = "") -> str:
        path = f"{pseudo.rstrip('/')}/{name}" if name else pseudo
        return f"nfs://{self.host}{path}?version=4&nfsport={self.port}"

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)

    def ls(self, pseudo: str) -> subprocess.CompletedProcess[str]:
        return self._run("nfs-ls", self.url(pseudo))

    def write(self, pseudo: str, name: str, content: str) -> subprocess.CompletedProcess[str]:
        local = self.scratch / f"upload-{name}"
        local.write_text(content)
        return self._run("nfs-cp", str(local), self.url(pseudo, name))

    def read(self, pseudo: str, name: str) -> subprocess.CompletedProcess[str]:
        return self._run("nfs-cat", self.url(pseudo, name))

    def assert_refused(self, pseudo: str) -> None:
        result = self.ls(pseudo)
        assert result.returncode != 0, result
        assert any(code in result.stderr for code in REFUSED), result.stderr

    def assert_writes(self, pseudo: str, name: str, content: str) -> None:
        result = self.write(pseudo, name, content)
        assert result.returncode == 0, result.stderr
        result = self.read(pseudo, name)
        assert result.returncode == 0, result.stderr
        assert result.stdout == content


@dataclass
class Ganesha:
    server: GaneshaServer
    client: NfsClient
    tmp: Path
    seen_pids: set[int] = field(default_factory=set)

    def remember_pids(self) -> None:
        self.seen_pids |= {pid for pid in self.server.pids.values() if pid is not None}

    def share_dir(self, name: str) -> Path:
        path = self.tmp / "shares" / name
        path.mkdir(parents=True, exist_ok=True)
        return path


@contextlib.contextmanager
def start_ganesha(tmp_path: Path, host: str, prefix: Sequence[str] = ()) -> Iterator[Ganesha]:
    if os.geteuid() != 0:
        pytest.skip("needs root (NFS-Ganesha)")
    for tool in ("ganesha.nfsd", "dbus-daemon", "nfs-ls", "nfs-cp", "nfs-cat"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    port = free_port(host) if not prefix else 2049  # a namespace has its own ports
    workdir = tmp_path / "ganesha"
    server = GaneshaServer(workdir, host, port, prefix=prefix)
    scratch = tmp_path / "client"
    scratch.mkdir()
    env = Ganesha(server, NfsClient(host, port, scratch), tmp_path)
    server.start()
    env.remember_pids()
    try:
        yield env
    finally:
        env.remember_pids()
        server.stop()
        assert env.seen_pids, "the server never ran"
        assert pids_running_from(workdir) == set()  # includes every PID in seen_pids


@pytest.fixture
def ganesha(tmp_path: Path) -> Iterator[Ganesha]:
    with start_ganesha(tmp_path, "127.0.0.1") as env:
        yield env
