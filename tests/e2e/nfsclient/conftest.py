"""A real NFS-Ganesha on 127.0.0.1 for the pure-Python NFSv4.0 client, and the client."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from abaca.share.protocols.ganesha import GaneshaServer
from abaca.share.protocols.rules import IpRule
from tests.fixtures.nfs4client import NFS4Client

HOST = "127.0.0.1"
RW, RO = [IpRule(HOST, "rw")], [IpRule(HOST, "ro")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def needs_ganesha() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root (NFS-Ganesha)")
    for tool in ("ganesha.nfsd", "dbus-daemon"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


def our_pids(workdir: Path) -> set[int]:
    """Live processes whose command line names ``workdir``: this server's only."""
    found = set()
    for entry in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if str(workdir).encode() in cmdline and state != "Z":
            found.add(int(entry))
    return found


@dataclass
class Server:
    ganesha: GaneshaServer
    port: int
    rw: Path  # exported read-write as /share-rw
    ro: Path  # exported read-only as /share-ro (also as /share-none, to nobody)


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    needs_ganesha()
    tmp = tmp_path_factory.mktemp("nfsclient")
    rw, ro = tmp / "rw", tmp / "ro"
    rw.mkdir()
    ro.mkdir()
    ganesha = GaneshaServer(tmp / "ganesha", HOST, free_port())
    try:
        ganesha.start()
        ganesha.export(2, str(rw), "/share-rw", RW)
        ganesha.export(3, str(ro), "/share-ro", RO)
        ganesha.export(4, str(ro), "/share-none", [])
        yield Server(ganesha, ganesha.port, rw, ro)
    finally:
        ganesha.stop()
    assert our_pids(ganesha.workdir) == set()


@pytest.fixture
def client(server: Server) -> Iterator[NFS4Client]:
    with NFS4Client(HOST, server.port) as nfs:
        yield nfs
