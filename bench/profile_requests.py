#!/usr/bin/env python3
"""Where the time of one API request goes: the WSGI application in this process,
without an HTTP server, under cProfile, counting SQL statements.

Starts a deployment (``--deployment aio`` or ``split``), fills it with ``--shares``
available shares over HTTP, then builds the same WSGI application in this process on
the same database (SQLite file or PostgreSQL; the in-process message bus, so a POST's
cast goes nowhere) and calls it through
falcon's test client: ``GET /v2/shares/detail``, ``GET /v2/shares/{id}`` and
``POST /v2/shares``, ``--requests`` of each. Prints per kind the mean time per call,
the SQL statements per call, and the top functions by own time. A diagnostic, not a
figure: cProfile slows pure-Python code several times over.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import deploy


def build_client(config: Path) -> tuple[Any, Any]:
    import falcon.testing
    from sqlalchemy import event

    from abaca import conf as confmod
    from abaca.api.app import create_app
    from abaca.db import session as db_session
    from abaca.rpc import transport as rpc

    conf = confmod.load(["--config-file", str(config)], prog="abaca-bench",
                        with_backends=False)
    db = db_session.from_conf(conf)
    transport = rpc.get_transport(conf, url=rpc.IN_PROCESS_URL)
    stats = SqlStats()
    event.listen(db.engine, "before_cursor_execute", stats.before)
    event.listen(db.engine, "after_cursor_execute", stats.after)
    return falcon.testing.TestClient(create_app(conf, db, transport),
                                     headers=dict(deploy.HEADERS)), stats


class SqlStats:
    """Statements executed and the time spent in each (execute and fetch on the client's
    side, so it includes the database server's time and the wire)."""

    def __init__(self) -> None:
        self.statements = 0
        self.seconds: dict[str, float] = defaultdict(float)
        self._started: dict[int, float] = {}

    def reset(self) -> None:
        self.statements = 0
        self.seconds.clear()

    def before(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        self.statements += 1
        self._started[id(cursor)] = time.perf_counter()

    def after(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        started = self._started.pop(id(cursor), None)
        if started is not None:
            key = " ".join(statement.split())
            key = key[:60] + " ... " + key[key.find(" FROM ") + 1:][:70]
            self.seconds[key] += time.perf_counter() - started


def profile(name: str, call: Callable[[], Any], requests: int, sql: SqlStats,
            top: int) -> dict[str, Any]:
    for _ in range(3):  # warm-up: imports, caches, connections
        call()
    sql.reset()
    start = time.perf_counter()
    for _ in range(requests):
        call()
    plain_ms = (time.perf_counter() - start) / requests * 1000
    statements = sql.statements / requests
    sql_ms = sum(sql.seconds.values()) / requests * 1000
    slowest = sorted(sql.seconds.items(), key=lambda kv: -kv[1])[:8]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    out.write("--- abaca's own functions by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(r"/abaca/", top)
    print(f"===== {name}: {plain_ms:.1f} ms per call in process (no profiler), "
          f"{statements:.1f} SQL statements taking {sql_ms:.1f} ms per call =====",
          file=sys.stderr)
    for statement, seconds in slowest:
        print(f"  {seconds / requests * 1000:8.2f} ms/call  {statement}", file=sys.stderr)
    print(out.getvalue(), file=sys.stderr)
    return {"ms_per_call": round(plain_ms, 2), "sql_per_call": round(statements, 1),
            "sql_ms_per_call": round(sql_ms, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployment", choices=deploy.DEPLOYMENTS, default="aio")
    parser.add_argument("--shares", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--analyze", action="store_true",
                        help="ANALYZE the PostgreSQL database after the fill")
    args = parser.parse_args(argv)

    with deploy.deployment(args.deployment) as dep:
        created = deploy.create_shares(dep.endpoint, args.shares, 8)
        deploy.wait_available(dep, args.shares)
        analyzed = deploy.analyze(dep) if args.analyze else False
        client, sql = build_client(dep.tmp / "abaca.conf")
        rng = random.Random(42)
        body = json.dumps({"share": {"share_proto": "NFS", "size": 1}})

        def detail() -> None:
            resp = client.simulate_get("/v2/shares/detail")
            assert resp.status_code == 200 and len(resp.json["shares"]) == args.shares

        def show() -> None:
            resp = client.simulate_get(f"/v2/shares/{rng.choice(created.ids)}")
            assert resp.status_code == 200

        def post() -> None:
            resp = client.simulate_post("/v2/shares", body=body)
            assert resp.status_code == 200, resp.text

        result = {
            "benchmark": "profile_requests", "deployment": args.deployment, "shares": args.shares,
            "analyzed": analyzed,
            "detail": profile("GET /v2/shares/detail", detail, args.requests, sql,
                              args.top),
            "show": profile("GET /v2/shares/{id}", show, args.requests, sql, args.top),
            "post": profile("POST /v2/shares", post, args.requests, sql, args.top),
            "machine": deploy.machine(), "loadavg": deploy.loadavg(),
        }
    deploy.emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
