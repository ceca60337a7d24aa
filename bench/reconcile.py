"""Reconciler figures (issue 7): what a share service does after a crash, and what a
periodic pass costs, for N shares on one dummy backend.

  .venv/bin/python bench/reconcile.py --shares 1000 [--in-flight 0.1] [--repeat 3]
                                      [--database-url URL]

One share manager is built in this process as ``abaca-share`` builds it (dummy backend,
every delay 0) on a fresh database (SQLite under a temporary directory, or the given
URL, whose tables must be empty) holding N available shares, each with one active
access rule. ``--in-flight`` of them are left as a SIGKILL leaves them: half ``creating``
on the backend's pool, half ``deleting``, and as many rules ``applying``.

* ``restart_s``: ``init_host`` of a new manager, i.e. what the share service does
  before it takes messages after a SIGKILL: serve every available share again
  (``ensure_share`` and its rules) and the reconciler's start pass, after which
  nothing is in transit (checked).
* ``startup_pass_s``: the reconciler's start pass alone over the same in-flight set.
* ``periodic_pass_s``: a periodic pass when nothing is stale (the steady-state cost:
  its queries and the orphan check).

Prints one ``RESULT {json}`` line with the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from abaca import conf as confmod  # noqa: E402
from abaca.db import migrate  # noqa: E402
from abaca.db.models import (  # noqa: E402
    Share,
    ShareAccessRule,
    ShareInstance,
    utcnow,
)
from abaca.db.session import Database  # noqa: E402
from abaca.rpc import transport as rpc  # noqa: E402
from abaca.services import share_types  # noqa: E402
from abaca.share import backend as backend_mod  # noqa: E402
from abaca.share.manager import ShareManager  # noqa: E402
from abaca.share.reconcile.records import in_transit  # noqa: E402

HOST = "benchhost@dummy1"


def _conf(tmp: Path, url: str, workers: int) -> Any:
    path = tmp / "abaca.conf"
    path.write_text(f"""[DEFAULT]
state_path = {tmp}
host = benchhost
enabled_share_backends = dummy1
transport_url = inproc://
[database]
connection = {url}
[reconciler]
stale_after = 3600
orphan_grace = 3600
workers = {workers}
[dummy1]
share_driver = dummy
driver_handles_share_servers = false
dummy_pools = pool0:1000000
""")
    return confmod.load(["--config-file", str(path)], prog="bench-reconcile")


def _populate(db: Database, conf: Any, shares: int, in_flight: float) -> None:
    with db.write() as session:
        stype = share_types.ensure_default(session, conf)
        type_id = stype.id if stype is not None else None
    flying = int(shares * in_flight)
    now = utcnow()
    rows_share: list[dict[str, Any]] = []
    rows_inst: list[dict[str, Any]] = []
    rows_rule: list[dict[str, Any]] = []
    for n in range(shares):
        share_id, inst_id = str(uuid.uuid4()), str(uuid.uuid4())
        status = "available"
        rule_state = "active"
        if n < flying:
            status = "creating" if n % 2 else "deleting"
            rule_state = "applying"
        rows_share.append({"id": share_id, "project_id": "bench", "user_id": "bench",
                           "size": 1, "share_proto": "NFS", "share_type_id": type_id,
                           "is_public": False, "created_at": now, "deleted": ""})
        rows_inst.append({"id": inst_id, "share_id": share_id, "status": status,
                          "host": f"{HOST}#pool0", "access_rules_status": "active",
                          "created_at": now, "deleted": ""})
        rows_rule.append({"id": str(uuid.uuid4()), "share_id": share_id,
                          "access_type": "ip", "access_to": f"198.18.{n // 250}.{n % 250 + 1}",
                          "access_level": "rw", "state": rule_state, "created_at": now,
                          "deleted": ""})
    with db.write() as session:
        session.execute(Share.__table__.insert(), rows_share)  # type: ignore[attr-defined]
        session.execute(ShareInstance.__table__.insert(), rows_inst)  # type: ignore[attr-defined]
        session.execute(ShareAccessRule.__table__.insert(), rows_rule)  # type: ignore[attr-defined]


def _manager(conf: Any, db: Database, transport: Any) -> ShareManager:
    return ShareManager(HOST, conf, db, transport, backend_mod.build(conf, "dummy1"))


def one_round(shares: int, in_flight: float, url: str | None,
              restart_run: bool = True, workers: int = 8) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="abaca-bench-reconcile-") as tmpdir:
        tmp = Path(tmpdir)
        db_url = url or f"sqlite:///{tmp / 'abaca.sqlite'}"
        conf = _conf(tmp, db_url, workers)
        db = Database(db_url)
        migrate.sync(db)
        transport = rpc.get_transport(conf)
        try:
            _populate(db, conf, shares, in_flight)
            # the pass alone, on a copy of the in-flight set (a second manager: the
            # first one's driver would then hold the shares)
            mgr = _manager(conf, db, transport)
            mgr.driver.do_setup()
            started = time.perf_counter()
            mgr.reconciler.run(startup=True)
            startup_pass = time.perf_counter() - started
            with db.read() as session:
                assert not [t for t in in_transit(session) if t.resource_type == "share"]
            mgr.cleanup_host()
            restart = float("nan")
            if restart_run:
                # a restart after SIGKILL: the same number in flight again, then init_host
                _refly(db, int(shares * in_flight))
                mgr = _manager(conf, db, transport)
                started = time.perf_counter()
                mgr.init_host()
                restart = time.perf_counter() - started
                with db.read() as session:
                    left = in_transit(session)
                assert not left, left[:5]
            else:
                mgr = _manager(conf, db, transport)
                mgr.driver.do_setup()
            started = time.perf_counter()
            mgr.reconciler.run()
            periodic = time.perf_counter() - started
            mgr.cleanup_host()
        finally:
            transport.cleanup()
            if url:
                _drop_rows(db)
            db.dispose()
    return {"restart_s": restart, "startup_pass_s": startup_pass,
            "periodic_pass_s": periodic}


def _refly(db: Database, count: int) -> None:
    """Leave ``count`` available shares as a crash would: creating, and rules applying."""
    from sqlalchemy import select

    with db.write() as session:
        insts = list(session.scalars(select(ShareInstance).where(
            ShareInstance.status == "available", ShareInstance.deleted == "").limit(count)))
        for inst in insts:
            inst.status = "creating"
        ids = [i.share_id for i in insts]
        for rule in session.scalars(select(ShareAccessRule).where(
                ShareAccessRule.share_id.in_(ids), ShareAccessRule.deleted == "")):
            rule.state = "applying"


def _drop_rows(db: Database) -> None:
    from abaca.db.models import Base

    with db.write() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=int, default=1000)
    parser.add_argument("--in-flight", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=8,
                        help="[reconciler] workers: resources a pass works on at once")
    parser.add_argument("--no-restart", action="store_true",
                        help="measure the reconciler's passes only (no init_host)")
    args = parser.parse_args()
    rounds = [one_round(args.shares, args.in_flight, args.database_url,
                        not args.no_restart, args.workers) for _ in range(args.repeat)]
    result: dict[str, Any] = {
        "bench": "reconcile", "shares": args.shares, "in_flight": args.in_flight,
        "database": (args.database_url or "sqlite").split(":", 1)[0],
        "repeat": args.repeat, "workers": args.workers, "load": os.getloadavg()[0]}
    for key in rounds[0]:
        if args.no_restart and key == "restart_s":
            continue
        result[key] = round(statistics.median(r[key] for r in rounds), 3)
        result[key + "_all"] = [round(r[key], 3) for r in rounds]
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
