"""Time to a fully reconciled state after SIGKILL of the share service (issue 7).

  .venv/bin/python bench/recovery_after_kill.py --shares 1000 [--in-flight 0.1] [--repeat 3]

The split deployment of ``bench/deploy.py`` (abaca-api, abaca-scheduler, abaca-share
over RabbitMQ and PostgreSQL; one dummy backend, delays 0). ``--shares`` shares are
created through the API and become available. Then, each round: abaca-share is killed
with SIGKILL and, while it is dead, ``--in-flight`` of the shares are put where a
crash in the middle of their operations leaves them: half ``creating`` on their pool,
half ``deleting`` (so each round has about ``shares * in_flight / 2`` fewer shares).
abaca-share is started again.

* ``reconciled_s``: from the start of the new process until nothing is in a
  transitional state (polled in the database every 0.1 s): process start, driver set-up,
  every available share served again, the reconciler's start pass.
* ``serving_s``: from the same start until a new share created through the API is
  available (the service takes messages again).

Prints one ``RESULT {json}`` line with the medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from abaca.db.models import ShareInstance
from abaca.db.session import Database
from abaca.share.reconcile.records import in_transit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import deploy


def _put_in_flight(db: Database, count: int) -> int:
    with db.write() as session:
        insts = list(session.scalars(select(ShareInstance).where(
            ShareInstance.status == "available", ShareInstance.deleted == "").limit(count)))
        for n, inst in enumerate(insts):
            inst.status = "creating" if n % 2 else "deleting"
    return len(insts)


def _settled(db: Database) -> bool:
    with db.read() as session:
        return not in_transit(session)


def one_round(dep: deploy.Deployment, db: Database, in_flight: int) -> dict[str, float]:
    share = dep.procs[2]
    share.kill()
    flying = _put_in_flight(db, in_flight)
    started = time.monotonic()
    share.start()
    reconciled = None
    while reconciled is None:
        if _settled(db):
            reconciled = time.monotonic() - started
        else:
            dep.check_alive()
            time.sleep(0.1)
    with requests.Session() as sess:
        sess.headers.update(deploy.HEADERS)
        resp = sess.post(f"{dep.endpoint}/v2/shares", timeout=120,
                         json={"share": {"share_proto": "NFS", "size": 1}})
        resp.raise_for_status()
        share_id = resp.json()["share"]["id"]
        while True:
            status = sess.get(f"{dep.endpoint}/v2/shares/{share_id}",
                              timeout=30).json()["share"]["status"]
            if status != "creating":
                break
            time.sleep(0.1)
    serving = time.monotonic() - started
    if status != "available":
        raise RuntimeError(f"a share created after the restart is {status}\n{dep.logs()}")
    return {"reconciled_s": reconciled, "serving_s": serving, "in_flight": flying}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=int, default=1000)
    parser.add_argument("--in-flight", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with deploy.deployment("split") as dep:
        deploy.create_shares(dep.endpoint, args.shares, 8)
        deploy.wait_available(dep, args.shares)
        db = Database(dep.database_url)
        try:
            rounds = [one_round(dep, db, int(args.shares * args.in_flight))
                      for _ in range(args.repeat)]
        finally:
            db.dispose()
    result: dict[str, Any] = {"bench": "recovery_after_kill", "deployment": "split",
                              "shares": args.shares, "in_flight": args.in_flight,
                              "repeat": args.repeat, "load": deploy.loadavg(),
                              "machine": deploy.machine()}
    for key in ("reconciled_s", "serving_s"):
        result[key] = round(statistics.median(r[key] for r in rounds), 3)
        result[key + "_all"] = [round(r[key], 3) for r in rounds]
    deploy.emit(result)


if __name__ == "__main__":
    main()
