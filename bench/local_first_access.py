#!/usr/bin/env python3
"""The local backend: time from POST /shares to the first successful client write, and
from allow_access to the first successful access, over N shares; and the same raw steps
(subvolume + qgroup limit + bind mount + NFS-Ganesha AddExport, or + Samba import)
timed directly, as the physical bound. NFS (pure-Python NFSv4.0 client) and CIFS
(smbclient). Needs root.

Shares are handled one after another (each latency is the full path, not a queue);
the client polls every 10 ms. The last line printed is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import deploy  # noqa: E402
from tests.e2e import local_backend as lb  # noqa: E402
from tests.fixtures import servers  # noqa: E402
from tests.fixtures.nfs4client import NFS4Client, NFS4Error  # noqa: E402

PASSWORD = "Bench-pw-1"
POLL = 0.01


def nfs_writes(port: int, name: str) -> bool:
    try:
        with NFS4Client("127.0.0.1", port, timeout=5) as client:
            client.write_file(f"/{name}/probe", b"x")
        return True
    except (NFS4Error, OSError):
        return False


def smb_writes(port: int, name: str, scratch: Path) -> bool:
    out = subprocess.run(["smbclient", "-p", str(port), f"//127.0.0.1/{name}", "-U",
                          f"bench%{PASSWORD}", "-c", "put probe"], cwd=scratch,
                         capture_output=True, text=True, timeout=30, check=False)
    return out.returncode == 0 and "NT_STATUS" not in out.stdout + out.stderr


def until(predicate: Callable[[], bool], timeout: float = 60) -> float:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("no access")
        time.sleep(POLL)
    return time.monotonic()


def through_api(proto: str, count: int, tmp: Path) -> dict[str, list[float]]:
    users = tmp / "users"
    users.write_text(f"bench:{PASSWORD}\n")
    nfs_port, smb_port = servers.free_port(), servers.free_port()
    backends = {"local": lb.local_backend(tmp, nfs_port, smb_port, proto,
                                          local_cifs_users_file=str(users),
                                          local_loop_size_gb=max(20, count // 4))}
    scratch = tmp / "scratch"
    scratch.mkdir()
    (scratch / "probe").write_text("x")
    post_to_write, allow_to_access = [], []
    unlimited = {"quota": {"shares": -1, "gigabytes": -1}}
    with lb.local_all_in_one(tmp, backends, unlimited) as (url, _proc):
        servers.wait_for_pools(url, 1)
        mc = servers.manila(url, "2.42")
        for _ in range(count):
            start = time.monotonic()
            share = mc.shares.create(proto, 1)
            until(lambda s=share: mc.shares.get(s.id).status == "available")
            name = lb.export_path(mc, share).replace("\\", "/").rsplit("/", 1)[-1]
            allowed = time.monotonic()
            mc.shares.allow(share, "ip", "127.0.0.1", "rw")
            if proto == "CIFS":
                mc.shares.allow(share, "user", "bench", "rw")
            done = until(lambda n=name: nfs_writes(nfs_port, n) if proto == "NFS"
                         else smb_writes(smb_port, n, scratch))
            post_to_write.append(done - start)
            allow_to_access.append(done - allowed)
        for share in mc.shares.list():
            mc.shares.delete(share)
        until(lambda: not mc.shares.list(), timeout=300)
    return {"post_to_write": post_to_write, "allow_to_access": allow_to_access}


def raw_steps(proto: str, count: int, tmp: Path) -> list[float]:
    from abaca.share.drivers.local.binds import BindMounts
    from abaca.share.drivers.local.btrfs import BtrfsPool
    from abaca.share.drivers.local.loopdev import LoopFilesystem
    from abaca.share.protocols.ganesha import GaneshaServer
    from abaca.share.protocols.rules import IpRule, UserRule
    from abaca.share.protocols.samba import SambaServer

    loop = LoopFilesystem(tmp / "raw.img", tmp / "raw-mnt", max(20, count // 4))
    loop.ensure()
    pool = BtrfsPool(tmp / "raw-mnt")
    pool.setup()
    binds = BindMounts(tmp / "raw-exports")
    port = servers.free_port()
    scratch = tmp / "raw-scratch"
    scratch.mkdir()
    (scratch / "probe").write_text("x")
    server: Any = (GaneshaServer(tmp / "raw-ganesha", "127.0.0.1", port) if proto == "NFS"
                   else SambaServer(tmp / "raw-samba", "127.0.0.1", port))
    times = []
    try:
        server.start()
        if proto == "CIFS":
            server.ensure_user("bench", PASSWORD)
        for i in range(count):
            name = f"share-raw-{i}"
            start = time.monotonic()
            pool.create(name, 1)
            if proto == "NFS":
                path = binds.bind(pool.path(name), name)
                server.export(i + 2, str(path), f"/{name}", [IpRule("127.0.0.1", "rw")])
                done = until(lambda n=name: nfs_writes(port, n))
            else:
                server.share(name, str(pool.path(name)), [IpRule("127.0.0.1", "rw")],
                             [UserRule("bench", "rw")])
                done = until(lambda n=name: smb_writes(port, n, scratch))
            times.append(done - start)
    finally:
        server.stop()
        binds.unbind_all()
        loop.release()
    return times


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(deploy.percentile(values, 50) * 1000, 1),
            "p99_ms": round(deploy.percentile(values, 99) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", choices=["NFS", "CIFS"], default="NFS")
    parser.add_argument("--shares", type=int, default=100)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (loop devices, btrfs, mounts)")
    with tempfile.TemporaryDirectory(prefix="abaca-bench-local-") as tmpdir:
        tmp = Path(tmpdir)
        (tmp / "api").mkdir()
        (tmp / "raw").mkdir()
        api = through_api(args.protocol, args.shares, tmp / "api")
        raw = raw_steps(args.protocol, args.shares, tmp / "raw")
    post, allow, bound = (summary(api["post_to_write"]), summary(api["allow_to_access"]),
                          summary(raw))
    result = {
        "benchmark": "local_first_access", "protocol": args.protocol, "shares": args.shares,
        "post_to_first_write": post, "allow_to_first_access": allow,
        "raw_steps_to_first_write": bound,
        "ratio_p50_api_over_raw": round(post["p50_ms"] / bound["p50_ms"], 2),
        "machine": deploy.machine(), "load": deploy.loadavg(),
    }
    deploy.emit(result)


if __name__ == "__main__":
    main()
