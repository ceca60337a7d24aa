#!/usr/bin/env python3
"""Share servers (DHSS=True, netns + standalone, the local backend): time from POST /shares
to the first client write when the share network is new (the share server is made on
the way: namespace, veth, address, Ganesha and smbd) and when its server exists; and
shares per second created on an existing server. Needs root.

The client writes over NFS from its own network namespace on the service's bridge (a
long-lived prober process, polled every 10 ms). Each new-network round deletes its share
afterwards and waits until the cleanup removed the server (not timed), so every round
starts from the same number of servers. The last line printed is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import deploy  # noqa: E402
from tests.e2e import local_backend as lb  # noqa: E402
from tests.e2e.share_server_env import Env, our_namespaces  # noqa: E402

POLL = 0.01


def until(predicate: Callable[[], Any], timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out")
        time.sleep(POLL)
    return time.monotonic()


def first_write(env: Env, mc: Any, network_id: str, tag: str) -> tuple[float, Any]:
    """Seconds from POST /shares to the client's first successful write, and the share."""
    start = time.monotonic()
    share = mc.shares.create("NFS", 1, share_network=network_id, share_type="dhss")
    until(lambda: _status(mc, share.id) == "available")
    mc.shares.allow(share, "ip", env.client_ip, "rw")
    path = lb.export_path(mc, share)
    env.attach_client()  # the bridge exists from the first server on
    done = until(lambda: env.nfs_write(path, f"probe-{tag}", "x"))
    return done - start, share


def _status(mc: Any, share_id: str) -> str:
    status = str(mc.shares.get(share_id).status)
    if status == "error":
        why = [m.user_message for m in mc.messages.list() if m.resource_id == share_id]
        raise RuntimeError(f"share {share_id} went to error: {why}")
    return status


def new_networks(env: Env, mc: Any, rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        network = mc.share_networks.create(name=f"bench-new-{i}")
        before = our_namespaces()
        elapsed, share = first_write(env, mc, network.id, f"new{i}")
        times.append(elapsed)
        mc.shares.delete(share)
        until(lambda b=before: our_namespaces() == b, timeout=120)  # cleanup, not timed
        mc.share_networks.delete(network)
    return times


def existing_server(env: Env, mc: Any, rounds: int) -> tuple[list[float], Any]:
    network = mc.share_networks.create(name="bench-existing")
    first_write(env, mc, network.id, "warm")  # makes the server
    times = [first_write(env, mc, network.id, f"old{i}")[0] for i in range(rounds)]
    return times, network


def shares_per_second(env: Env, network_id: str, count: int, threads: int) -> float:
    """Create ``count`` shares on an existing server from ``threads`` clients; shares per
    second from the first POST to the last share available."""
    ids: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        mc = env.mc("bench")  # one client per thread: manilaclient is not thread-safe
        for _ in range(n):
            share = mc.shares.create("NFS", 1, share_network=network_id, share_type="dhss")
            with lock:
                ids.append(share.id)

    mc = env.mc("bench")
    start = time.monotonic()
    workers = [threading.Thread(target=worker, args=(count // threads,))
               for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for share_id in ids:
        until(lambda s=share_id: _status(mc, s) == "available")
    return len(ids) / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--shares", type=int, default=40)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--figure", choices=["first-write", "rate", "all"], default="all",
                        help="first-write: POST to first write, new network vs existing "
                             "server; rate: shares/s on an existing server")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (namespaces, loop devices, btrfs, mounts)")
    # SIGTERM ends the run through the cleanup below, like Ctrl-C
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    # short: Ganesha's bus socket path under the state directory must fit in 108 bytes
    tmp = Path(tempfile.mkdtemp(prefix="abssb-", dir="/tmp"))
    unlimited = {"quota": {"shares": -1, "gigabytes": -1, "share_networks": -1}}
    env = Env(tmp, first=10, last=200, groups=unlimited,
              local_loop_size_gb=2 * (args.rounds + args.shares + 10))
    try:
        env.start("bench.log")
        admin = env.mc("admin")
        admin.share_types.create("dhss", True)
        mc = env.mc("bench")
        first_write_figure = args.figure in ("first-write", "all")
        new = new_networks(env, mc, args.rounds) if first_write_figure else []
        old, network = existing_server(env, mc, args.rounds if first_write_figure else 0)
        rate = (shares_per_second(env, network.id, args.shares, args.threads)
                if args.figure in ("rate", "all") else None)
        for share in mc.shares.list():
            mc.shares.delete(share)
        until(lambda: not mc.shares.list(), timeout=300)
    except BaseException:
        log = tmp / "bench.log"
        if log.exists():
            print("".join(log.read_text().splitlines(True)[-200:]), file=sys.stderr)
        for out in tmp.glob("state/local/*/srv/*/samba/log/smbd.out"):
            print(f"--- {out}\n" + out.read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        env.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    result: dict[str, Any] = {"benchmark": "share_servers", "figure": args.figure,
                              "machine": deploy.machine(), "load": deploy.loadavg()}
    if new and old:
        p50_new, p50_old = (round(deploy.percentile(v, 50) * 1000, 1) for v in (new, old))
        result |= {
            "rounds": args.rounds,
            "new_network_post_to_first_write": {
                "p50_ms": p50_new, "p99_ms": round(deploy.percentile(new, 99) * 1000, 1)},
            "existing_server_post_to_first_write": {
                "p50_ms": p50_old, "p99_ms": round(deploy.percentile(old, 99) * 1000, 1)},
            "ratio_p50_new_over_existing": round(p50_new / p50_old, 2)}
    if rate is not None:
        result |= {"shares_per_second_on_existing_server": round(rate, 1),
                   "shares": args.shares, "threads": args.threads}
    deploy.emit(result)


if __name__ == "__main__":
    main()
