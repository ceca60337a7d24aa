"""A randomised workload with SIGKILLs, on the local backend over RabbitMQ and PostgreSQL.

abaca-api, abaca-scheduler and abaca-share run as processes; the share service has a
local backend (btrfs on a loop device, NFS-Ganesha). ``ABACA_RECOVERY_OPS`` operations
(default 300: create, allow, snapshot, extend, delete, delete a snapshot, write data over
NFS) are sent through the API while the share service, the scheduler and Ganesha are
killed with SIGKILL at random points and started again (Ganesha by the share service's
supervisor). ``ABACA_RECOVERY_SEED`` replays a run. Then, within 60 s:

- nothing is in a transitional state (shares, snapshots, access rules);
- every share the database calls available is on the backend and exported with exactly
  its active rules (its Ganesha export file), and served to a real NFS client when it
  has a rule for it;
- no backend object (share tree, snapshot, export) is left without a row;
- every file written to a share that still exists reads back the same;
- every share in an error status has a user message.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from manilaclient.common.apiclient import exceptions as api_exc
from manilaclient.common.apiclient.exceptions import ClientException
from sqlalchemy import select

from abaca.db.models import ShareAccessRule, ShareInstance, ShareSnapshot
from abaca.db.session import Database
from abaca.share.reconcile.records import in_transit
from tests.e2e import local_backend as lb
from tests.fixtures import servers
from tests.integration.conftest import (  # noqa: F401 - fixtures
    Deployment,
    database_url,
    deploy,
    postgresql_server,
    rabbitmq_server,
    transport_url,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration,
              pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]

OPS = int(os.environ.get("ABACA_RECOVERY_OPS", "300"))
RECONCILER = {"interval": 2, "stale_after": 5, "request_timeout": 20, "orphan_grace": 5}
CLIENT = "127.0.0.1"
MAX_LIVE = 30  # shares alive at once (the loop pool is thin but not endless)


class Workload:
    def __init__(self, dep: Deployment, rng: random.Random, nfs_port: int) -> None:
        self.dep = dep
        self.rng = rng
        self.nfs_port = nfs_port
        self.mc = dep.client("2.65")
        self.snap_type = self.mc.share_types.create(
            "snaps", spec_driver_handles_share_servers=False,
            extra_specs={"snapshot_support": "True"}).id
        self.shares: list[str] = []
        self.snapshots: list[tuple[str, str]] = []  # (snapshot, share)
        self.written: dict[str, dict[str, bytes]] = {}  # share -> file -> content
        self.done: dict[str, int] = {}
        self.refused = 0
        self.kills: list[str] = []
        self._victims: list[str] = []

    # operations ------------------------------------------------------------------------

    def create(self) -> None:
        if len(self.shares) >= MAX_LIVE:
            self.delete()
            return
        self.shares.append(self.mc.shares.create("NFS", 1, share_type=self.snap_type).id)

    def allow(self) -> None:
        share = self.rng.choice(self.shares)
        to = CLIENT if self.rng.random() < 0.5 else \
            f"198.18.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"
        self.mc.shares.allow(share, "ip", to, "rw")

    def snapshot(self) -> None:
        share = self.rng.choice(self.shares)
        self.snapshots.append((self.mc.share_snapshots.create(share).id, share))

    def extend(self) -> None:
        share = self.mc.shares.get(self.rng.choice(self.shares))
        self.mc.shares.extend(share.id, share.size + 1)

    def delete(self) -> None:
        share = self.rng.choice(self.shares)
        self.mc.shares.delete(share)
        self.shares.remove(share)
        self.written.pop(share, None)

    def delete_snapshot(self) -> None:
        snap, share = self.rng.choice(self.snapshots)
        self.mc.share_snapshots.delete(snap)
        self.snapshots.remove((snap, share))

    def write(self) -> None:
        share = self.mc.shares.get(self.rng.choice(self.shares))
        if share.status != "available":
            raise api_exc.BadRequest("not available")
        if not any(r.access_to == CLIENT and r.state == "active"
                   for r in self.mc.share_access_rules.access_list(share.id)):
            raise api_exc.BadRequest("no rule for the client")
        name = f"f{len(self.done)}-{self.rng.randint(0, 1 << 30)}.txt"
        data = os.urandom(self.rng.randint(1, 64 * 1024))
        if lb.nfs_write(self.nfs_port, _name(self.mc, share), name, data):
            self.written.setdefault(share.id, {})[name] = data

    # the run ---------------------------------------------------------------------------

    def kill_one(self) -> None:
        if not self._victims:  # each of the three in turn, in a random order
            self._victims = self.rng.sample(["share", "scheduler", "ganesha"], 3)
        victim = self._victims.pop()
        self.kills.append(victim)
        if victim == "ganesha":
            for pid in ganesha_pids(self.dep.tmp / "state"):
                os.kill(pid, signal.SIGKILL)
            return  # the share service's supervisor starts it again
        proc = self.dep.share if victim == "share" else self.dep.scheduler
        proc.kill()
        time.sleep(self.rng.uniform(0, 2))
        proc.start()

    def run(self, count: int) -> None:
        ops: dict[str, Callable[[], None]] = {
            "create": self.create, "allow": self.allow, "snapshot": self.snapshot,
            "extend": self.extend, "delete": self.delete,
            "delete_snapshot": self.delete_snapshot, "write": self.write}
        weights = {"create": 4, "allow": 3, "snapshot": 2, "extend": 1, "delete": 1,
                   "delete_snapshot": 1, "write": 2}
        next_kill = self.rng.randint(10, 30)
        for n in range(count):
            if n == next_kill:
                self.kill_one()
                next_kill += self.rng.randint(10, 30)
            op = "create" if not self.shares else self.rng.choices(
                list(weights), list(weights.values()))[0]
            if op == "delete_snapshot" and not self.snapshots:
                op = "create"
            try:
                ops[op]()
                self.done[op] = self.done.get(op, 0) + 1
            except ClientException:
                self.refused += 1  # a state the API refuses (403/400/409): fine
            time.sleep(self.rng.uniform(0, 0.15))


def _name(mc: Any, share: Any) -> str:
    return lb.export_path(mc, share).rsplit("/", 1)[-1]


def ganesha_pids(state: Path) -> list[int]:
    return [p for p in lb.our_pids(str(state / "local" / "local" / "ganesha"))
            if b"ganesha.nfsd" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _clients(export_file: Path) -> set[str]:
    found: set[str] = set()
    for line in export_file.read_text().splitlines():
        if line.strip().startswith("Clients ="):
            found.update(c.strip() for c in line.split("=", 1)[1].rstrip(";").split(","))
    return found


def _check_backend(db: Database, state: Path, nfs_port: int) -> list[str]:
    """What is wrong between the database and the backend (empty: nothing)."""
    work = state / "local" / "local"
    pool = work / "mnt"
    ids = _load_ids(work)
    problems: list[str] = []
    with db.read() as session:
        instances = list(session.scalars(select(ShareInstance).where(
            ShareInstance.deleted == "")))
        live_names = {f"share-{i.id}" for i in instances}
        # an unmanaged share's data stays on the backend on purpose
        live_names |= {f"share-{i}" for i in session.scalars(select(ShareInstance.id).where(
            ShareInstance.status == "unmanaged"))}
        snaps = list(session.scalars(select(ShareSnapshot).where(ShareSnapshot.deleted == "")))
        snap_names = {s.provider_location or f"share-snapshot-{s.id}" for s in snaps}
        for inst in instances:
            if inst.status != "available":
                continue
            name = f"share-{inst.id}"
            if not (pool / "shares" / name).is_dir():
                problems.append(f"available {name} has no data on the backend")
                continue
            active = {r.access_to for r in session.scalars(select(ShareAccessRule).where(
                ShareAccessRule.share_id == inst.share_id, ShareAccessRule.deleted == "",
                ShareAccessRule.state == "active"))}
            if name not in ids:
                problems.append(f"available {name} is not exported")
                continue
            served = _clients(work / "ganesha" / "exports" / f"{ids[name]}.conf")
            if served != active:
                problems.append(f"{name} serves {sorted(served)}, active {sorted(active)}")
            elif CLIENT in active and not lb.nfs_reachable(nfs_port, name):
                problems.append(f"{name} is not served to {CLIENT}")
        for snap in snaps:
            if snap.status == "available" and not (
                    pool / "snapshots" / (snap.provider_location or "")).exists():
                problems.append(f"available snapshot {snap.id} is not on the backend")
    for path in (pool / "shares").iterdir():
        if path.name not in live_names:
            problems.append(f"orphan share tree {path.name}")
    for path in (pool / "snapshots").iterdir():
        if re.fullmatch(r"share-snapshot-[0-9a-f-]{36}", path.name) and \
                path.name not in snap_names:
            problems.append(f"orphan snapshot {path.name}")
    for name in ids:
        if name not in live_names | snap_names:
            problems.append(f"orphan export {name}")
    return problems


def _load_ids(work: Path) -> dict[str, int]:
    import json

    path = work / "nfs-export-ids.json"
    return {str(k): int(v) for k, v in json.loads(path.read_text()).items()} \
        if path.exists() else {}


def test_randomised_workload_with_sigkills(deploy: Callable[..., Deployment],  # noqa: F811
                                           database_url: str) -> None:  # noqa: F811
    seed = int(os.environ.get("ABACA_RECOVERY_SEED", str(time.time_ns() % 100000)))
    print(f"ABACA_RECOVERY_SEED={seed} ABACA_RECOVERY_OPS={OPS}")
    rng = random.Random(seed)
    nfs_port = servers.free_port()
    backend = lb.local_backend(Path("/unused"), nfs_port, servers.free_port(), "NFS",
                               local_loop_size_gb=20)
    dep = deploy({"local": backend}, groups={"reconciler": RECONCILER})
    state = dep.tmp / "state"
    db = Database(database_url)
    try:
        work = Workload(dep, rng, nfs_port)
        work.run(OPS)
        for proc in dep.procs:  # whatever the last kill left down comes back
            if not proc.alive():
                proc.start()
        finished = time.monotonic()

        def settled() -> bool:
            with db.read() as session:
                return not in_transit(session)

        servers.wait_until(settled, timeout=60, interval=1, what="nothing in transit")
        problems: list[str] = []

        def consistent() -> bool:
            problems[:] = _check_backend(db, state, nfs_port)
            return not problems

        try:
            servers.wait_until(consistent, timeout=max(5.0, 60 - (time.monotonic() - finished)),
                               interval=1, what="backend consistent")
        except TimeoutError:
            pytest.fail("\n".join(problems))
        assert time.monotonic() - finished <= 60
        print(f"ops: {work.done}, refused: {work.refused}, kills: {work.kills}")
        assert sum(work.done.values()) >= OPS // 3, work.done
        assert len(work.kills) >= min(3, OPS // 30), work.kills
        # data written to a surviving share is all there
        for share_id, files in work.written.items():
            share = work.mc.shares.get(share_id)
            for name, data in files.items():
                assert lb.nfs_read(nfs_port, _name(work.mc, share), name) == data, \
                    f"{name} of share {share_id} lost"
        # an operation that failed says why
        for share in work.mc.shares.list():
            if "error" in share.status:
                assert work.mc.messages.list(search_opts={"resource_id": share.id}), \
                    f"share {share.id} is {share.status} without a user message"

        # After the workload (the share service may still be serving its shares again
        # after the last kill): a share handed back to the administrator keeps its data,
        # and data no row owns, as a crash between a backend call and its commit leaves
        # it, is removed after its grace.
        kept = next((s for s in work.mc.shares.list() if s.status == "available"
                     and not work.mc.share_snapshots.list(search_opts={"share_id": s.id})),
                    None)
        kept_tree = None
        if kept is not None:
            kept_tree = (state / "local" / "local" / "mnt" / "shares" /
                         _name(work.mc, kept))
            work.mc.shares.unmanage(kept)
            servers.wait_until(lambda: kept.id not in {s.id for s in work.mc.shares.list()},
                               timeout=120, what="the share unmanaged")
            work.written.pop(kept.id, None)
        orphan = f"share-{uuid.uuid4()}"
        subprocess.run(["btrfs", "subvolume", "create",
                        str(state / "local" / "local" / "mnt" / "shares" / orphan)],
                       check=True, capture_output=True, timeout=60)

        try:
            servers.wait_until(consistent, timeout=120, interval=1,
                               what="the orphan removed, the unmanaged share kept")
        except TimeoutError:
            pytest.fail("\n".join(problems))
        history = subprocess.run(
            [str(servers.BIN / "abaca-manage"), "--config-file", str(dep.config),
             "reconcile", "history", "--limit", "1000"],
            capture_output=True, text=True, timeout=120, check=True).stdout
        print(history[-3000:])
        assert re.search(rf"share +{orphan} +orphan_removed", history), history[-3000:]
        assert kept_tree is None or kept_tree.is_dir(), "an unmanaged share lost its data"
    finally:
        db.dispose()
        dep.stop()
        if lb.our_pids(str(state)) or lb.mounted(state):
            lb.cleanup_state(state)
    assert lb.our_pids(str(state)) == []
    assert lb.loop_devices_for(state / "local" / "local" / "pool.img") == ""

