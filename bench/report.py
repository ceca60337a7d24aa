#!/usr/bin/env python3
"""Turn the ``RESULT {json}`` lines of the benchmark scripts into a markdown table.

Usage: ``report.py RESULTS_FILE`` (lines not starting with ``RESULT `` are ignored).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

NO_ANALYZE = "split, no ANALYZE"
ROWS = [
    # (benchmark, key, label)
    ("create_throughput", "shares_per_s", "create: shares/s, POST to available"),
    ("create_throughput", "post_p50_ms", "create: POST latency p50 (ms)"),
    ("create_throughput", "post_p99_ms", "create: POST latency p99 (ms)"),
    ("create_throughput", "ready_p50_ms", "create: server create to available p50 (ms)"),
    ("create_throughput", "ready_p99_ms", "create: server create to available p99 (ms)"),
    ("read_latency", "detail_p50_ms", "GET /v2/shares/detail p50 (ms)"),
    ("read_latency", "detail_p99_ms", "GET /v2/shares/detail p99 (ms)"),
    ("read_latency", "show_p50_ms", "GET /v2/shares/{id} p50 (ms)"),
    ("read_latency", "show_p99_ms", "GET /v2/shares/{id} p99 (ms)"),
]


def load(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Results by (benchmark, column): "aio", "split", and "split, no ANALYZE" for a
    read_latency run on PostgreSQL without planner statistics."""
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        if line.startswith("RESULT "):
            data = json.loads(line[len("RESULT "):])
            column = data["deployment"]
            if column == "split" and data.get("analyzed") is False:
                column = NO_ANALYZE
            results[(data["benchmark"], column)] = data
    return results


def table(results: dict[tuple[str, str], dict[str, Any]]) -> str:
    extra = any(column == NO_ANALYZE for _bench, column in results)
    head = "| figure | all-in-one | split | split/aio |"
    rule = "|---|---:|---:|---:|"
    if extra:
        head += f" {NO_ANALYZE} |"
        rule += "---:|"
    lines = [head, rule]
    for bench, key, label in ROWS:
        aio = results.get((bench, "aio"), {}).get(key)
        split = results.get((bench, "split"), {}).get(key)
        ratio = f"{split / aio:.2f}" if aio and split is not None else "n/a"
        line = f"| {label} | {_fmt(aio)} | {_fmt(split)} | {ratio} |"
        if extra:
            line += f" {_fmt(results.get((bench, NO_ANALYZE), {}).get(key))} |"
        lines.append(line)
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    results = load(Path(argv[0]))
    print(table(results))
    machine = next(iter(results.values()), {}).get("machine")
    if machine:
        print(f"\nmachine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram_gib']} GiB "
              f"RAM, kernel {machine['kernel']}, Python {machine['python']}; {machine['date']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
