#!/usr/bin/env python3
"""Scheduling decisions per second with 100 and with 1,000 pools.

In process, no database and no message bus: what is timed is what the scheduler does
for each create request once it has the usable services, that is
``HostManager.pools`` (the fresh pools of those services) plus
``FilterScheduler.schedule`` with the default filters and weighers (every filter and
weigher of Manila's default lists).

The pools (``--pools``, default 100 and 1000) belong to backends of four pools each
and vary in capacity (thick and thin), availability zone (three), capabilities
(dedupe, compression, snapshot support, replication domain) and functions: a fifth
have a ``filter_function``, a fifth a ``goodness_function``. The requests (``--requests``
per run) cycle through five share types (plain, capability-matching, thin, zoned,
replicated), sizes of 1 to 100 GiB, some with an availability zone and some with an
anti-affinity hint. Each run rebuilds the pools (capacity is consumed as shares are
placed) and is timed from the first request to the last; the figure is the median
over ``--repeat`` runs. Everything is seeded: every run sees the same pools and
requests.

The last line printed is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from typing import Any

from abaca import conf as confmod
from abaca.common.types import RequestSpec, ShareTypeSpec
from abaca.scheduler.filter_scheduler import FilterScheduler
from abaca.scheduler.host_manager import HostManager

POOLS_PER_BACKEND = 4
ZONES = ("az1", "az2", "az3")
FILTER_FUNCTIONS = (
    "share.size <= 80",
    "host.free_capacity_gb > share.size * 2 && capabilities.dedupe",
    "share.share_proto == 'NFS' or stats.total_capacity_gb > 50000",
)
GOODNESS_FUNCTIONS = (
    "host.free_capacity_gb / host.total_capacity_gb * 100",
    "share.size < 10 ? 90 : 40",
    "min(100, max(0, 100 - host.allocated_capacity_gb / 100))",
)
SHARE_TYPES = (
    ShareTypeSpec("t-default", "default", {"driver_handles_share_servers": "False"}),
    ShareTypeSpec("t-gold", "gold", {"driver_handles_share_servers": "False",
                                     "capabilities:dedupe": "<is> True",
                                     "snapshot_support": "True"}),
    ShareTypeSpec("t-thin", "thin", {"thin_provisioning": "<is> True",
                                     "compression": "<in> lz"}),
    ShareTypeSpec("t-zoned", "zoned", {"availability_zones": "az1,az2"}),
    ShareTypeSpec("t-replicated", "replicated", {"replication_type": "dr"}),
)


def pool_reports(count: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """``{"hostN@backendN": [pool, ...]}``, ``count`` pools in all."""
    rng = random.Random(seed)
    reports: dict[str, list[dict[str, Any]]] = {}
    for index in range(count):
        backend = index // POOLS_PER_BACKEND
        total = rng.choice((1_000, 5_000, 20_000, 100_000))
        used = rng.uniform(0.0, 0.9)
        thin = index % 3 == 0
        caps: dict[str, Any] = {
            "pool_name": f"pool{index % POOLS_PER_BACKEND}",
            "total_capacity_gb": total,
            "free_capacity_gb": round(total * (1 - used), 1),
            "allocated_capacity_gb": round(total * used, 1),
            "provisioned_capacity_gb": round(total * used * (2.5 if thin else 1), 1),
            "reserved_percentage": rng.choice((0, 5, 10)),
            "reserved_snapshot_percentage": 5,
            "reserved_share_extend_percentage": 5,
            "thin_provisioning": thin,
            "max_over_subscription_ratio": rng.choice((2.0, 5.0, 20.0)) if thin else 1.0,
            "availability_zone": ZONES[backend % len(ZONES)],
            "driver_handles_share_servers": False,
            "snapshot_support": rng.random() < 0.8,
            "create_share_from_snapshot_support": True,
            "dedupe": rng.random() < 0.5,
            "compression": rng.choice(("none", "lz4", "zstd")),
            "storage_protocol": "NFS_CIFS",
            "share_backend_name": f"backend{backend}",
            "vendor_name": "Abaca",
            "driver_version": "1.0",
            "qos": False,
        }
        if backend % 4 == 0:
            caps["replication_domain"] = f"domain{backend % 8}"
            caps["replication_type"] = "dr"
        if index % 5 == 1:
            caps["filter_function"] = FILTER_FUNCTIONS[index % len(FILTER_FUNCTIONS)]
        if index % 5 == 2:
            caps["goodness_function"] = GOODNESS_FUNCTIONS[index % len(GOODNESS_FUNCTIONS)]
        reports.setdefault(f"host{backend}@backend{backend}", []).append(caps)
    return reports


def requests(count: int, pool_count: int, seed: int) -> list[RequestSpec]:
    rng = random.Random(seed + 1)
    specs = []
    for index in range(count):
        hints: dict[str, str] = {}
        if index % 10 == 0:
            avoid = [f"host{b}@backend{b}#pool{rng.randrange(POOLS_PER_BACKEND)}"
                     for b in rng.sample(range(pool_count // POOLS_PER_BACKEND), 3)]
            hints = {"different_host": "s1,s2,s3", "different_host_hosts": ",".join(avoid)}
        specs.append(RequestSpec(
            share_id=f"share-{index}", instance_id=f"instance-{index}", project_id="bench",
            size=rng.choice((1, 1, 5, 10, 20, 50, 100)), share_proto=rng.choice(("NFS", "CIFS")),
            share_type=SHARE_TYPES[index % len(SHARE_TYPES)],
            availability_zone=rng.choice((None, None, *ZONES)), scheduler_hints=hints))
    return specs


def run_once(conf: Any, pool_count: int, request_count: int, seed: int) -> dict[str, float]:
    manager = HostManager()
    for host, pools in pool_reports(pool_count, seed).items():
        manager.update_service_capabilities(host, pools)
    usable = {f"host{b}@backend{b}" for b in range(pool_count // POOLS_PER_BACKEND + 1)}
    specs = requests(request_count, pool_count, seed)
    scheduler = FilterScheduler(conf, consume=manager.consume)  # as SchedulerManager
    placed = 0
    started = time.perf_counter()
    for spec in specs:
        if scheduler.schedule(spec, manager.pools(usable, max_age=60.0)):
            placed += 1
    elapsed = time.perf_counter() - started
    return {"decisions_per_s": request_count / elapsed,
            "ms_per_decision": elapsed / request_count * 1000,
            "placed_fraction": placed / request_count}


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)),
            "cpu": model, "kernel": platform.release(),
            "python": platform.python_version(),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pools", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--requests", type=int, default=500,
                        help="requests per run (default 500)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)

    conf = confmod.new_conf()
    conf([], project="abaca")
    load_before = loadavg()
    results: dict[str, Any] = {}
    for pool_count in args.pools:
        runs = []
        for index in range(args.repeat):
            run = run_once(conf, pool_count, args.requests, args.seed)
            runs.append(run)
            print(f"# {pool_count} pools, run {index + 1}/{args.repeat}: "
                  f"{run['decisions_per_s']:.0f} decisions/s "
                  f"({run['ms_per_decision']:.2f} ms each, "
                  f"{run['placed_fraction']:.0%} placed)", file=sys.stderr, flush=True)
        results[str(pool_count)] = {
            "decisions_per_s": round(statistics.median(r["decisions_per_s"] for r in runs), 1),
            "ms_per_decision": round(statistics.median(r["ms_per_decision"] for r in runs), 3),
            "placed_fraction": round(runs[0]["placed_fraction"], 3),
            "runs_decisions_per_s": [round(r["decisions_per_s"], 1) for r in runs],
        }
    result = {
        "benchmark": "scheduler_decisions", "deployment": "in-process",
        "requests": args.requests, "repeat": args.repeat, "seed": args.seed,
        "filters": list(conf.scheduler.default_filters),
        "weighers": list(conf.scheduler.default_weighers),
        "pools": results,
        "loadavg_before": load_before, "loadavg_after": loadavg(),
        "machine": machine(),
    }
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
