#!/usr/bin/env python3
"""Latency of ``GET /v2/shares/detail`` (one page of every share) and ``GET
/v2/shares/{id}``, dummy backend at 0 delay.

Starts a fresh deployment (``--deployment aio`` or ``split``), fills it with
``--shares`` available shares (8 client threads), then, from one keep-alive
requests.Session, sends sequential requests: a warm-up of 10 of each kind, then
``--requests`` of each kind per round, ``--rounds`` rounds. ``GET /v2/shares/detail``
uses the default page (``[api] max_limit`` = 1000, so all of them at 1,000 shares);
``GET /v2/shares/{id}`` picks a random share each time (fixed seed). On PostgreSQL,
``ANALYZE`` runs after the fill (``--no-analyze`` to skip it): without statistics the
planner picks nested loops that are quadratic in the number of shares, and this
machine's cluster runs no autovacuum to gather them. Reported: p50 and
p99 in ms per kind, the median over rounds. The last line printed is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import deploy

WARMUP = 10
FILL_CONCURRENCY = 8


def timed_get(sess: requests.Session, url: str) -> tuple[float, requests.Response]:
    start = time.perf_counter()
    resp = sess.get(url, timeout=120)
    elapsed = time.perf_counter() - start
    if resp.status_code != 200:
        raise RuntimeError(f"GET {url}: {resp.status_code} {resp.text[:500]}")
    return elapsed, resp


def measure(endpoint: str, ids: list[str], shares: int, requests_per_round: int,
            rounds: int, seed: int = 42) -> dict[str, Any]:
    rng = random.Random(seed)
    detail_url = f"{endpoint}/v2/shares/detail"
    show_url = f"{endpoint}/v2/shares/"
    per_round: list[dict[str, float]] = []
    with requests.Session() as sess:
        sess.headers.update(deploy.HEADERS)
        _, resp = timed_get(sess, detail_url)
        listed = len(resp.json()["shares"])
        if listed != shares:
            raise RuntimeError(f"GET /v2/shares/detail listed {listed} shares, not {shares}")
        detail_bytes = len(resp.content)
        for _ in range(WARMUP):
            timed_get(sess, detail_url)
            timed_get(sess, show_url + rng.choice(ids))
        for _ in range(rounds):
            detail = [timed_get(sess, detail_url)[0] for _ in range(requests_per_round)]
            show = [timed_get(sess, show_url + rng.choice(ids))[0]
                    for _ in range(requests_per_round)]
            per_round.append({
                "detail_p50_ms": deploy.percentile(detail, 50) * 1000,
                "detail_p99_ms": deploy.percentile(detail, 99) * 1000,
                "show_p50_ms": deploy.percentile(show, 50) * 1000,
                "show_p99_ms": deploy.percentile(show, 99) * 1000,
            })
    return {"detail_bytes": detail_bytes, "rounds": per_round}


METRICS = ("detail_p50_ms", "detail_p99_ms", "show_p50_ms", "show_p99_ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployment", choices=deploy.DEPLOYMENTS, required=True)
    parser.add_argument("--shares", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-analyze", dest="analyze", action="store_false",
                        help="measure PostgreSQL without planner statistics (by default "
                             "ANALYZE runs after the fill)")
    args = parser.parse_args(argv)

    with deploy.deployment(args.deployment) as dep:
        started = time.monotonic()
        created = deploy.create_shares(dep.endpoint, args.shares, FILL_CONCURRENCY)
        deploy.wait_available(dep, args.shares)
        fill_s = time.monotonic() - started
        print(f"# {args.deployment}: {args.shares} shares available in {fill_s:.1f} s",
              file=sys.stderr, flush=True)
        analyzed = deploy.analyze(dep) if args.analyze else False
        load_before = deploy.loadavg()
        measured = measure(dep.endpoint, created.ids, args.shares, args.requests, args.rounds)
        load_after = deploy.loadavg()
    rounds = measured["rounds"]
    for i, r in enumerate(rounds, 1):
        print(f"# {args.deployment} read round {i}/{len(rounds)}: detail p50 "
              f"{r['detail_p50_ms']:.1f} ms p99 {r['detail_p99_ms']:.1f} ms, show p50 "
              f"{r['show_p50_ms']:.1f} ms p99 {r['show_p99_ms']:.1f} ms", file=sys.stderr)
    result: dict[str, Any] = {
        "benchmark": "read_latency", "deployment": args.deployment, "shares": args.shares,
        "requests": args.requests, "rounds": args.rounds, "analyzed": analyzed,
        **{m: round(deploy.median([r[m] for r in rounds]), 2) for m in METRICS},
        "per_round": [{k: round(v, 2) for k, v in r.items()} for r in rounds],
        "detail_bytes": measured["detail_bytes"], "fill_s": round(fill_s, 2),
        "loadavg_before": load_before, "loadavg_after": load_after,
        "machine": deploy.machine(),
    }
    deploy.emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
