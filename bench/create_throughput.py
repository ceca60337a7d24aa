#!/usr/bin/env python3
"""Shares per second from POST to ``available``, dummy backend at 0 delay.

Each repeat starts a fresh deployment (``--deployment aio`` or ``split``), creates
``--shares`` shares from ``--concurrency`` client threads (one requests.Session each),
polls until every one is ``available`` (any ``error`` fails the run), and tears the
deployment down. Reported per repeat and as the median over repeats:

* ``shares_per_s``: N / (time all were seen available - time the first POST was sent),
  client clock, polled every 0.1 s;
* ``post_p50_ms``/``post_p99_ms``: client-side latency of the POST (it returns when
  the share row is committed and the create is cast to the scheduler);
* ``ready_p50_ms``/``ready_p99_ms``: server-side time from each share's row creation
  (API) to its instance's ``launched_at`` (share service, driver done), read from the
  deployment's database after the run (the API exposes no such time: a share's
  ``updated_at`` stays empty when its instance becomes available);
* ``cpu_ms_per_share``: CPU time used during the run, by process (the deployment's,
  this client's, and the machine's PostgreSQL and RabbitMQ servers), per share.

The last line printed is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import deploy


def run_once(kind: str, shares: int, concurrency: int) -> dict[str, Any]:
    with deploy.deployment(kind) as dep:
        load_before = deploy.loadavg()
        cpu_before = deploy.cpu_seconds(dep)
        created = deploy.create_shares(dep.endpoint, shares, concurrency)
        done = deploy.wait_available(dep, shares)
        cpu = deploy.cpu_delta(cpu_before, deploy.cpu_seconds(dep))
        load_after = deploy.loadavg()
        ready = deploy.ready_seconds(dep, created.ids)
    wall = done - created.first_post
    return {
        "shares_per_s": shares / wall,
        "wall_s": wall,
        "post_phase_s": created.last_post - created.first_post,
        "post_p50_ms": deploy.percentile(created.post_seconds, 50) * 1000,
        "post_p99_ms": deploy.percentile(created.post_seconds, 99) * 1000,
        "ready_p50_ms": deploy.percentile(ready, 50) * 1000,
        "ready_p99_ms": deploy.percentile(ready, 99) * 1000,
        # CPU milliseconds per share, by process (see deploy.cpu_seconds)
        "cpu_ms_per_share": {k: round(v * 1000 / shares, 2) for k, v in cpu.items()},
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }


METRICS = ("shares_per_s", "wall_s", "post_phase_s", "post_p50_ms", "post_p99_ms",
           "ready_p50_ms", "ready_p99_ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployment", choices=deploy.DEPLOYMENTS, required=True)
    parser.add_argument("--shares", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    runs = []
    for i in range(args.repeat):
        started = time.monotonic()
        run = run_once(args.deployment, args.shares, args.concurrency)
        runs.append(run)
        print(f"# {args.deployment} create run {i + 1}/{args.repeat}: "
              f"{run['shares_per_s']:.1f} shares/s, POST p50 {run['post_p50_ms']:.1f} ms "
              f"p99 {run['post_p99_ms']:.1f} ms, create->available p50 "
              f"{run['ready_p50_ms']:.1f} ms p99 {run['ready_p99_ms']:.1f} ms, "
              f"CPU ms/share {run['cpu_ms_per_share']}, "
              f"load {run['loadavg_before']} -> {run['loadavg_after']} "
              f"({time.monotonic() - started:.0f} s with set-up)", file=sys.stderr, flush=True)
    result: dict[str, Any] = {
        "benchmark": "create_throughput", "deployment": args.deployment,
        "shares": args.shares, "concurrency": args.concurrency, "repeat": args.repeat,
        **{m: round(deploy.median([r[m] for r in runs]), 2) for m in METRICS},
        "cpu_ms_per_share": {k: round(deploy.median([r["cpu_ms_per_share"][k] for r in runs]),
                                      2) for k in runs[0]["cpu_ms_per_share"]},
        "runs": [{k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()}
                 for r in runs],
        "machine": deploy.machine(),
    }
    deploy.emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
