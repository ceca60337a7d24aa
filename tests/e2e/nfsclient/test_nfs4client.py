"""The pure-Python NFSv4.0 client (tests/fixtures/nfs4client.py) against NFS-Ganesha."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import nfs4client
from tests.fixtures.nfs4client import NFS4Client, NFS4Error

from .conftest import HOST, Server

pytestmark = pytest.mark.e2e

MiB = 1024**2
REPO = Path(__file__).resolve().parents[3]
REFUSED = {"NFS4ERR_NOENT", "NFS4ERR_ACCESS", "NFS4ERR_PERM", "NFS4ERR_WRONGSEC"}


@pytest.mark.parametrize("size", [0, 1, 1024, 5 * MiB + 3])
def test_write_then_read_back(client: NFS4Client, server: Server, size: int) -> None:
    data = os.urandom(size)
    path = f"/share-rw/round-trip-{size}"

    assert client.write_file(path, data) == size
    assert client.read_file(path) == data
    assert (server.rw / f"round-trip-{size}").read_bytes() == data
    assert (server.rw / f"round-trip-{size}").stat().st_mode & 0o777 == 0o644


def test_write_streams_an_iterable_of_uneven_pieces(client: NFS4Client, server: Server) -> None:
    pieces = [os.urandom(n) for n in (1, 100_000, 262_143, 262_145, 0, 3 * MiB, 7)]

    assert client.write_file("/share-rw/pieces", iter(pieces), chunk=65536) == sum(
        map(len, pieces))
    assert (server.rw / "pieces").read_bytes() == b"".join(pieces)
    assert b"".join(client.read_chunks("/share-rw/pieces", chunk=100_000)) == b"".join(pieces)


def test_writing_again_truncates(client: NFS4Client) -> None:
    client.write_file("/share-rw/shrinks", os.urandom(2 * MiB))
    client.write_file("/share-rw/shrinks", b"short")

    assert client.read_file("/share-rw/shrinks") == b"short"


def test_listdir_exists_and_remove(client: NFS4Client, server: Server) -> None:
    (server.rw / "sub").mkdir()
    for name in ("a", "b", "c"):
        client.write_file(f"/share-rw/sub/{name}", name.encode())
    client.write_file("/share-rw/sub/ünïcode name", b"u")

    assert sorted(client.listdir("/share-rw/sub")) == ["a", "b", "c", "ünïcode name"]
    assert {"share-rw", "share-ro"} <= set(client.listdir("/"))
    assert client.exists("/share-rw/sub/b")
    client.remove("/share-rw/sub/b")
    assert not client.exists("/share-rw/sub/b")
    assert not (server.rw / "sub" / "b").exists()
    assert sorted(client.listdir("/share-rw/sub")) == ["a", "c", "ünïcode name"]


def test_a_large_directory_takes_several_readdirs(client: NFS4Client, server: Server) -> None:
    big = server.rw / "many"
    big.mkdir()
    names = {f"file-with-a-rather-long-name-{i:05d}" for i in range(2000)}
    for name in names:
        (big / name).touch()

    listed = client.listdir("/share-rw/many")
    assert len(listed) == len(names)
    assert set(listed) == names


def test_missing_files(client: NFS4Client) -> None:
    with pytest.raises(NFS4Error) as read:
        client.read_file("/share-rw/no-such-file")
    assert (read.value.name, read.value.op) == ("NFS4ERR_NOENT", "OPEN")
    with pytest.raises(NFS4Error) as remove:
        client.remove("/share-rw/no-such-file")
    assert (remove.value.name, remove.value.op) == ("NFS4ERR_NOENT", "REMOVE")
    with pytest.raises(NFS4Error) as lookup:
        client.write_file("/share-rw/no-such-dir/file", b"x")
    assert (lookup.value.name, lookup.value.op) == ("NFS4ERR_NOENT", "LOOKUP")
    assert not client.exists("/no-such-share")


def test_read_only_export(client: NFS4Client, server: Server) -> None:
    (server.ro / "existing").write_bytes(b"read me")

    assert client.read_file("/share-ro/existing") == b"read me"
    assert "existing" in client.listdir("/share-ro")
    for name in ("existing", "new"):
        with pytest.raises(NFS4Error) as write:
            client.write_file(f"/share-ro/{name}", b"refused")
        assert write.value.name == "NFS4ERR_ROFS"
    with pytest.raises(NFS4Error) as remove:
        client.remove("/share-ro/existing")
    assert remove.value.name == "NFS4ERR_ROFS"
    assert (server.ro / "existing").read_bytes() == b"read me"
    assert not (server.ro / "new").exists()


def test_an_export_without_rules_is_refused_at_lookup(client: NFS4Client) -> None:
    with pytest.raises(NFS4Error) as listing:
        client.listdir("/share-none")
    assert listing.value.name in REFUSED
    assert listing.value.op == "LOOKUP"
    with pytest.raises(NFS4Error) as write:
        client.write_file("/share-none/file", b"x")
    assert write.value.name in REFUSED
    assert "share-none" not in client.listdir("/")


class ShortChangingClient(NFS4Client):
    """Reports at most ``limit`` bytes per WRITE and READ, as a server may: the client
    must send or fetch the rest (rewriting what the server already has is harmless)."""

    limit = 10_000
    shortened = 0

    def receive(self, xid: int) -> list[Any]:
        results = super().receive(xid)
        if len(results) == 2 and isinstance(results[1], tuple):
            first, second, *rest = results[1]
            if isinstance(second, bytes) and len(second) > self.limit:  # READ: eof, data
                results[1] = (False, second[:self.limit])
                self.shortened += 1
            elif isinstance(first, int) and first > self.limit:  # WRITE: count, ...
                results[1] = (self.limit, second, *rest)
                self.shortened += 1
        return results


def test_short_writes_and_reads_are_completed(server: Server) -> None:
    data = os.urandom(3 * MiB + 5)
    with ShortChangingClient(HOST, server.port) as nfs:
        assert nfs.write_file("/share-rw/short", data, chunk=65536) == len(data)
        assert (server.rw / "short").read_bytes() == data
        writes_cut = nfs.shortened
        assert nfs.read_file("/share-rw/short") == data
    assert writes_cut >= len(data) // 65536
    assert nfs.shortened - writes_cut >= len(data) // MiB


def test_abandoning_a_read_leaves_the_connection_usable(client: NFS4Client) -> None:
    data = os.urandom(4 * MiB)
    client.write_file("/share-rw/abandoned", data)
    chunks = client.read_chunks("/share-rw/abandoned", chunk=65536)
    assert next(chunks) == data[:65536]
    chunks.close()  # READs still in flight: their replies must be skipped

    assert client.read_file("/share-rw/abandoned") == data
    assert "abandoned" in client.listdir("/share-rw")


def _pattern(total: int, seed: int = 1) -> Iterator[bytes]:
    block = hashlib.shake_256(str(seed).encode()).digest(MiB)
    for index in range(0, total, MiB):
        yield (index.to_bytes(8, "big") + block[8:])[:total - index]


def test_throughput(client: NFS4Client, capsys: pytest.CaptureFixture[str]) -> None:
    size = 200 * MiB
    expected = hashlib.sha256(b"".join(_pattern(size))).hexdigest()

    start = time.monotonic()
    client.write_file("/share-rw/throughput", _pattern(size))
    write_s = time.monotonic() - start
    start = time.monotonic()
    digest = hashlib.sha256()
    for block in client.read_chunks("/share-rw/throughput"):
        digest.update(block)
    read_s = time.monotonic() - start

    assert digest.hexdigest() == expected
    with capsys.disabled():
        print(f"\n200 MiB over NFSv4: write {size / MiB / write_s:.0f} MiB/s, "
              f"read {size / MiB / read_s:.0f} MiB/s")


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "tests.fixtures.nfs4client", *args],
                          cwd=REPO, input=stdin, capture_output=True, timeout=60, check=False)


def test_command_line(server: Server, tmp_path: Path) -> None:
    port = str(server.port)
    local = tmp_path / "upload"
    local.write_bytes(os.urandom(MiB + 1))

    assert _cli("put", HOST, port, "/share-rw/cli", str(local)).returncode == 0
    got = _cli("get", HOST, port, "/share-rw/cli")
    assert (got.returncode, got.stdout) == (0, local.read_bytes())
    assert _cli("get", HOST, port, "/share-rw/cli", str(tmp_path / "down")).returncode == 0
    assert (tmp_path / "down").read_bytes() == local.read_bytes()
    assert _cli("put", HOST, port, "/share-rw/cli-stdin", "-", stdin=b"piped").returncode == 0
    assert (server.rw / "cli-stdin").read_bytes() == b"piped"
    listing = _cli("ls", HOST, port, "/share-rw")
    assert listing.returncode == 0
    assert {"cli", "cli-stdin"} <= set(listing.stdout.decode().split("\n"))
    assert _cli("rm", HOST, port, "/share-rw/cli").returncode == 0
    assert not (server.rw / "cli").exists()

    for args, status in ((("get", "/share-rw/cli"), "NFS4ERR_NOENT"),
                         (("put", "/share-ro/x", str(local)), "NFS4ERR_ROFS")):
        failed = _cli(args[0], HOST, port, *args[1:])
        assert failed.returncode == 1
        assert status in failed.stderr.decode()


def test_errors_carry_status_name_and_operation() -> None:
    error = NFS4Error(69, "WRITE")
    assert (error.status, error.name, error.op) == (69, "NFS4ERR_DQUOT", "WRITE")
    assert "NFS4ERR_DQUOT" in str(error)
    assert nfs4client.STATUS_NAMES[10016] == "NFS4ERR_WRONGSEC"
    assert NFS4Error(12345, "OPEN").name == "NFS4ERR_12345"
