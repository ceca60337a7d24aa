"""Deployments for the benchmarks, and the small helpers the benchmark scripts share.

``deployment("aio")`` runs ``abaca all-in-one`` (SQLite, in-process bus, cheroot);
``deployment("split")`` runs ``abaca-api`` (gunicorn), ``abaca-scheduler`` and
``abaca-share`` as three processes over this machine's RabbitMQ and PostgreSQL, each
on a private, randomly named vhost and database. Whatever happens, everything is
removed afterwards: processes (stopped by process group), the temporary directory,
the database and the vhost. A RabbitMQ or PostgreSQL server that was not running is
started and stopped again at the end; one that was running is left running.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixtures import servers, services  # noqa: E402

HOST = "benchhost"
BACKEND = "dummy1"
MICROVERSION = "2.42"
TOKEN = "admin:bench"
HEADERS = {"X-Auth-Token": TOKEN, "X-OpenStack-Manila-API-Version": MICROVERSION,
           "Content-Type": "application/json", "Accept": "application/json"}
DEPLOYMENTS = ("aio", "split")


@dataclass
class Deployment:
    kind: str
    endpoint: str
    tmp: Path
    database_url: str = ""
    procs: list[servers.Proc] = field(default_factory=list)

    def check_alive(self) -> None:
        for proc in self.procs:
            if proc.popen is not None and not proc.alive():
                raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")

    def logs(self, lines: int = 40) -> str:
        return "\n".join(f"----- {p.name} ({p.log}) -----\n{p.tail(lines)}" for p in self.procs)


def _sections(tmp: Path, port: int, **default: Any) -> dict[str, dict[str, Any]]:
    """One dummy backend with a large pool, no quota, slow background work."""
    sections = servers.base_config(
        tmp / "state", port, {BACKEND: servers.dummy_backend("pool0:100000")},
        groups={"quota": {"shares": -1, "gigabytes": -1}}, **default)
    sections["DEFAULT"].update(host=HOST, report_interval=5, periodic_interval=10,
                               periodic_fuzzy_delay=0, service_down_time=60)
    return sections


@contextmanager
def _server(server: services.Server) -> Iterator[None]:
    """The machine's server running for the duration; stopped only if we started it."""
    if not server.installed():
        raise RuntimeError(f"{server.name} is not installed on this machine")
    if not server.ready():
        server.start_cmd()
        server.started = True
        services._wait(server.ready, 90, server.name)
    try:
        yield
    finally:
        server.restore()


def _wait_registered(dep: Deployment, binary: str, timeout: float = 60) -> None:
    def registered() -> bool:
        dep.check_alive()
        resp = requests.get(f"{dep.endpoint}/v2/services", headers=HEADERS, timeout=5)
        return resp.status_code == 200 and any(
            s.get("binary") == binary for s in resp.json().get("services", []))

    servers.wait_until(registered, timeout=timeout, what=f"{binary} to register")


@contextmanager
def rabbitmq_vhost() -> Iterator[str]:
    """A private vhost named abaca_bench_<random>; yields its transport URL."""
    vhost = services.random_name("abaca_bench")
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True,
                   timeout=120)
    try:
        subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*",
                        ".*", ".*"], check=True, capture_output=True, timeout=120)
        yield f"rabbit://guest:guest@{services.HOST}:{services.RABBIT_PORT}/{vhost}"
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=False,
                       capture_output=True, timeout=120)


@contextmanager
def postgresql_database() -> Iterator[str]:
    """A private database named abaca_bench_<random>; yields its SQLAlchemy URL."""
    import psycopg

    name = services.random_name("abaca_bench")
    admin = f"host={services.HOST} port={services.POSTGRES_PORT} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (f"postgresql+psycopg://postgres@{services.HOST}:{services.POSTGRES_PORT}"
               f"/{name}")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def deployment(kind: str) -> Iterator[Deployment]:
    """A fresh deployment of ``kind`` ("aio" or "split") with one dummy pool ready."""
    if kind not in DEPLOYMENTS:
        raise ValueError(f"unknown deployment {kind!r}")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"abaca-bench-{kind}-")))
        port = servers.free_port()
        dep = Deployment(kind=kind, endpoint=f"http://127.0.0.1:{port}", tmp=tmp)
        if kind == "aio":
            dep.database_url = f"sqlite:///{tmp / 'state' / 'abaca.sqlite'}"
            config = servers.write_config(tmp / "abaca.conf", _sections(tmp, port))
            proc = servers.command("abaca", config, tmp / "all-in-one.log")
            proc.args.insert(1, "all-in-one")
            dep.procs.append(proc)
            stack.callback(proc.stop)
            proc.start()
            servers.wait_for_api(dep.endpoint, proc)
        else:
            stack.enter_context(_server(services.RABBITMQ))
            stack.enter_context(_server(services.POSTGRESQL))
            transport_url = stack.enter_context(rabbitmq_vhost())
            database_url = stack.enter_context(postgresql_database())
            sections = _sections(tmp, port, transport_url=transport_url)
            sections["database"] = {"connection": database_url}
            dep.database_url = database_url
            config = servers.write_config(tmp / "abaca.conf", sections)
            sync = subprocess.run([str(servers.BIN / "abaca-manage"), "--config-file",
                                   str(config), "db", "sync"], capture_output=True, text=True,
                                  timeout=120, check=False)
            if sync.returncode != 0:
                raise RuntimeError(f"db sync failed:\n{sync.stdout}{sync.stderr}")
            api, scheduler, share = (servers.command(b, config, tmp / f"{b}.log")
                                     for b in ("abaca-api", "abaca-scheduler", "abaca-share"))
            dep.procs.extend([api, scheduler, share])
            for proc in (api, scheduler, share):
                stack.callback(proc.stop)  # stopped in reverse: share, scheduler, api
            scheduler.start()
            api.start()
            servers.wait_for_api(dep.endpoint, api)
            # As the integration tests do: the share service starts once the scheduler
            # has registered (two services registering a new zone at once race).
            _wait_registered(dep, "abaca-scheduler")
            share.start()
        try:
            servers.wait_for_pools(dep.endpoint, 1, token=TOKEN, timeout=60)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{dep.logs()}") from exc
        yield dep


# Measurements ------------------------------------------------------------------------------

def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct``-th percentile, linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
                break
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gib": round(mem_kb / 2**20, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def emit(result: dict[str, Any]) -> None:
    """The machine-readable line: one JSON object, prefixed so it is easy to grep."""
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)


# Load ---------------------------------------------------------------------------------------

@dataclass
class Created:
    ids: list[str]
    post_seconds: list[float]  # client-side latency of each POST
    first_post: float  # time.monotonic() when the first POST was sent
    last_post: float  # time.monotonic() when the last POST had returned


def create_shares(endpoint: str, count: int, concurrency: int, size: int = 1) -> Created:
    """POST ``count`` shares from ``concurrency`` threads, one requests.Session each."""
    local = threading.local()
    body = json.dumps({"share": {"share_proto": "NFS", "size": size}})
    url = f"{endpoint}/v2/shares"

    def session() -> requests.Session:
        sess: requests.Session | None = getattr(local, "session", None)
        if sess is None:
            sess = requests.Session()
            sess.headers.update(HEADERS)
            local.session = sess
            sessions.append(sess)
        return sess

    def one(_: int) -> tuple[str, float, float, float]:
        sess = session()
        start = time.monotonic()
        resp = sess.post(url, data=body, timeout=120)
        end = time.monotonic()
        if resp.status_code != 200:
            raise RuntimeError(f"POST /v2/shares: {resp.status_code} {resp.text[:500]}")
        return resp.json()["share"]["id"], start, end, end - start

    sessions: list[requests.Session] = []
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(one, range(count)))
    finally:
        for sess in sessions:
            sess.close()
    return Created(ids=[r[0] for r in results], post_seconds=[r[3] for r in results],
                   first_post=min(r[1] for r in results), last_post=max(r[2] for r in results))


def count_shares(sess: requests.Session, endpoint: str, status: str) -> int:
    resp = sess.get(f"{endpoint}/v2/shares/detail",
                    params={"status": status, "with_count": "true", "limit": "1"}, timeout=30)
    resp.raise_for_status()
    return int(resp.json()["count"])


def wait_available(dep: Deployment, count: int, timeout: float = 600,
                   interval: float = 0.1) -> float:
    """Poll until ``count`` shares are available; returns time.monotonic() then.

    A share in ``error`` fails the run at once."""
    deadline = time.monotonic() + timeout
    with requests.Session() as sess:
        sess.headers.update(HEADERS)
        while True:
            now = time.monotonic()
            if count_shares(sess, dep.endpoint, "available") >= count:
                return now
            errors = count_shares(sess, dep.endpoint, "error")
            if errors:
                raise RuntimeError(f"{errors} shares went to error\n{dep.logs()}")
            if now > deadline:
                raise TimeoutError(f"shares not available within {timeout:.0f} s\n{dep.logs()}")
            dep.check_alive()
            time.sleep(interval)


def ready_seconds(dep: Deployment, share_ids: Sequence[str]) -> list[float]:
    """Server-side seconds from each share's row creation (API) to the share service's
    ``launched_at`` (driver done, instance available), read from the database.

    The API cannot tell: a share's ``updated_at`` is not touched when its instance
    becomes available, and there is no share-instances API yet."""
    import sqlalchemy as sa

    engine = sa.create_engine(dep.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT s.id, s.created_at, i.launched_at FROM shares s "
                "JOIN share_instances i ON i.share_id = s.id "
                "WHERE s.deleted = '' AND i.deleted = ''")).all()
    finally:
        engine.dispose()
    times = {r[0]: (r[1], r[2]) for r in rows}
    result = []
    for share_id in share_ids:
        created, launched = times[share_id]
        if isinstance(created, str):  # SQLite without type information
            created, launched = parse_time(created), parse_time(launched)
        result.append((launched - created).total_seconds())
    return result


def analyze(dep: Deployment) -> bool:
    """Refresh the PostgreSQL planner's statistics (what autovacuum would do a while
    after a bulk load; autovacuum is off on this machine's cluster). Returns whether
    it ran: SQLite is left as the all-in-one service leaves it, never analysed."""
    if not dep.database_url.startswith("postgresql"):
        return False
    import sqlalchemy as sa

    engine = sa.create_engine(dep.database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()
    return True


# CPU accounting -------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> Iterator[tuple[str, int, float]]:
    """(command name, session id, CPU seconds) of every process."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                raw = handle.read()
        except OSError:  # gone meanwhile
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        # fields[0] is field 3 (state): session is field 6, utime/stime fields 14/15.
        yield comm, int(fields[3]), (int(fields[11]) + int(fields[12])) / _TICK


def cpu_seconds(dep: Deployment) -> dict[str, float]:
    """Cumulative CPU seconds: each of the deployment's processes with its children
    (gunicorn workers; each was started in a session of its own), this client
    process, and the machine's PostgreSQL and RabbitMQ servers (every client of theirs,
    not only this deployment)."""
    sessions = {p.popen.pid: p.name for p in dep.procs if p.popen is not None}
    totals = dict.fromkeys([*sessions.values(), "postgresql", "rabbitmq"], 0.0)
    for comm, session, seconds in _proc_stats():
        if session in sessions:
            totals[sessions[session]] += seconds
        elif comm == "postgres":
            totals["postgresql"] += seconds
        elif comm == "beam.smp":
            totals["rabbitmq"] += seconds
    times = os.times()
    totals["client"] = times.user + times.system
    return totals


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after[k] - before.get(k, 0.0) for k in after}
