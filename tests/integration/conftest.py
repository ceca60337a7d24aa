"""Integration fixtures: the machine's servers, a private database and vhost per test,
and a three-process deployment (abaca-api, abaca-scheduler, abaca-share) on them.

Teardown runs whatever the test's outcome: processes are stopped (by process group),
then the database is dropped and the vhost deleted. When a test fails, the tails of
the process logs are printed to help find out why.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import services
from tests.fixtures.servers import (
    BIN,
    Proc,
    base_config,
    command,
    free_port,
    manila,
    wait_for_api,
    wait_for_pools,
    wait_until,
    write_config,
)

HOST = "testhost"
SERVICE_DOWN_TIME = 6


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    node = request.node
    return any(getattr(getattr(node, f"report_{when}", None), "failed", False)
               for when in ("setup", "call"))


# The machine's servers: started if needed, stopped at the end only if we started them.

@pytest.fixture(scope="session")
def rabbitmq_server() -> Iterator[services.Server]:
    server = services.RABBITMQ.ensure()
    yield server
    server.restore()


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[services.Server]:
    server = services.POSTGRESQL.ensure()
    yield server
    server.restore()


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[services.Server]:
    server = services.MARIADB.ensure()
    yield server
    server.restore()


# Per-test resources ----------------------------------------------------------------------

@pytest.fixture
def transport_url(rabbitmq_server: services.Server) -> Iterator[str]:
    with services.rabbitmq_vhost() as url:
        yield url
    vhost = url.rsplit("/", 1)[1]
    assert vhost not in services.rabbitmq_vhosts(), f"vhost {vhost} was not deleted"


def _database(request: pytest.FixtureRequest, kind: str) -> Iterator[str]:
    request.getfixturevalue(f"{kind}_server")
    _server, make = services.DATABASES[kind]
    listing = {"postgresql": services.postgresql_databases,
               "mariadb": services.mariadb_databases}[kind]
    with make() as url:
        yield url
    name = url.rsplit("/", 1)[1].split("?")[0]
    assert name not in listing(), f"{kind} database {name} was not dropped"


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The deployment's private database: PostgreSQL unless the test parametrises it
    (``@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)``).
    """
    yield from _database(request, getattr(request, "param", "postgresql"))


@pytest.fixture
def postgresql_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _database(request, "postgresql")


@pytest.fixture
def mariadb_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _database(request, "mariadb")


# The three-process deployment --------------------------------------------------------------

@dataclass
class Deployment:
    tmp: Path
    config: Path
    endpoint: str
    api: Proc
    scheduler: Proc
    share: Proc
    backends: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def procs(self) -> list[Proc]:
        return [self.share, self.scheduler, self.api]

    def client(self, version: str = "2.42") -> Any:
        return manila(self.endpoint, version)

    def logs(self, lines: int = 60) -> str:
        return "\n".join(f"----- {p.name} ({p.log}) -----\n{p.tail(lines)}" for p in self.procs)

    def manage(self, *args: str) -> str:
        """``abaca-manage ARGS`` on this deployment's config; its output."""
        result = subprocess.run([str(BIN / "abaca-manage"), "--config-file", str(self.config),
                                 *args], capture_output=True, text=True, timeout=120,
                                check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def stop(self) -> None:
        """SIGTERM all three at once and wait for each (SIGKILL after 20 s)."""
        threads = [threading.Thread(target=proc.stop) for proc in self.procs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _registered(dep: Deployment, binary: str) -> bool:
    if not dep.scheduler.alive():
        raise RuntimeError(f"abaca-scheduler exited:\n{dep.scheduler.tail()}")
    return any(s.binary == binary for s in dep.client().services.list())


def db_sync(config: Path, log: Path) -> None:
    result = subprocess.run([str(BIN / "abaca-manage"), "--config-file", str(config), "db",
                             "sync"], capture_output=True, text=True, timeout=120, check=False)
    log.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"abaca-manage db sync failed:\n{result.stdout}{result.stderr}"


@pytest.fixture
def deploy(request: pytest.FixtureRequest, tmp_path: Path, transport_url: str,
           database_url: str) -> Iterator[Callable[..., Deployment]]:
    """Start abaca-api (2 workers), abaca-scheduler and abaca-share as processes.

    Call it with the backends; it runs ``abaca-manage db sync`` on ``database_url``
    first and returns once the API answers and the scheduler knows every pool. The
    processes are stopped before the database is dropped and the vhost deleted
    (this fixture depends on both, so it is torn down first).
    """
    started: list[Deployment] = []

    def start(backends: Mapping[str, Mapping[str, Any]],
              pools: int | None = None,
              groups: Mapping[str, Mapping[str, Any]] | None = None) -> Deployment:
        port = free_port()
        sections = base_config(tmp_path / "state", port, backends, groups,
                               transport_url=transport_url)
        sections["DEFAULT"].update(host=HOST, service_down_time=SERVICE_DOWN_TIME)
        sections["database"] = {"connection": database_url}
        config = write_config(tmp_path / "abaca.conf", sections)
        db_sync(config, tmp_path / "db-sync.log")
        dep = Deployment(
            tmp=tmp_path, config=config, endpoint=f"http://127.0.0.1:{port}",
            api=command("abaca-api", config, tmp_path / "api.log"),
            scheduler=command("abaca-scheduler", config, tmp_path / "scheduler.log"),
            share=command("abaca-share", config, tmp_path / "share.log"),
            backends={k: dict(v) for k, v in backends.items()})
        started.append(dep)
        dep.scheduler.start()
        dep.api.start()
        wait_for_api(dep.endpoint, dep.api)
        # The share service starts once the scheduler has registered: two services
        # registering the same new availability zone at once is a known race
        # (test_service_registration.py), kept out of the scenarios that need a
        # working deployment.
        wait_until(lambda: _registered(dep, "abaca-scheduler"), timeout=60,
                   what="abaca-scheduler to register")
        dep.share.start()
        expected = pools if pools is not None else sum(
            len(str(b.get("dummy_pools", "pool0:1000")).split(",")) for b in backends.values())

        def pools_known() -> bool:
            for proc in dep.procs:
                if not proc.alive():
                    raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
            try:
                wait_for_pools(dep.endpoint, expected, timeout=1)
            except TimeoutError:
                return False
            return True

        try:
            wait_until(pools_known, timeout=60, what=f"{expected} pools")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{dep.logs()}") from exc
        return dep

    yield start
    for dep in started:
        if _failed(request):
            print(f"\n===== logs of the deployment in {dep.tmp} =====\n{dep.logs()}")
        dep.stop()
        for proc in dep.procs:
            assert not proc.alive(), f"{proc.name} outlived its test"
