"""The Service framework: heartbeats, periodic tasks, RPC and a graceful stop."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import oslo_messaging
import pytest

from abaca import conf as confmod
from abaca.common.context import RequestContext
from abaca.common.manager import Manager, periodic_task
from abaca.common.service import Service
from abaca.db import migrate
from abaca.db.repositories import services as services_repo
from abaca.db.session import Database
from abaca.rpc import transport as rpc


class EchoManager(Manager):
    def __init__(self, host: str, conf: Any) -> None:
        super().__init__(host, conf)
        self.ticks = 0
        self.fast_ticks = 0
        self.inited = False
        self.cleaned = False
        self.finished: list[str] = []

    def init_host(self) -> None:
        self.inited = True

    def cleanup_host(self) -> None:
        self.cleaned = True

    @periodic_task()
    def tick(self, ctxt: RequestContext) -> None:
        self.ticks += 1

    @periodic_task(spacing=0.1)
    def fast(self, ctxt: RequestContext) -> None:
        self.fast_ticks += 1

    @periodic_task(spacing=0.1)
    def broken(self, ctxt: RequestContext) -> None:
        raise RuntimeError("a failing task must not stop the others")

    def echo(self, ctxt: RequestContext, value: str) -> dict[str, Any]:
        return {"value": value, "project": ctxt.project_id}

    def slow(self, ctxt: RequestContext, tag: str) -> None:
        time.sleep(0.5)
        self.finished.append(tag)


@pytest.fixture
def parts(tmp_path: Path) -> Any:
    conf = confmod.new_conf()
    conf([], project="abaca")
    conf.set_override("periodic_interval", 1)
    db = Database(f"sqlite:///{tmp_path}/svc.sqlite")
    migrate.sync(db)
    transport = rpc.get_transport(conf, url=rpc.IN_PROCESS_URL)
    yield conf, db, transport
    transport.cleanup()
    db.dispose()


def _service(conf: Any, db: Database, transport: Any, manager: Manager) -> Service:
    return Service(host="h1", binary="abaca-echo", topic="echo", manager=manager, db=db,
                   transport=transport, report_interval=0.1, periodic_interval=1,
                   periodic_fuzzy_delay=0, availability_zone="az1")


def test_service_registers_heartbeats_and_runs_periodic_tasks(parts: Any) -> None:
    conf, db, transport = parts
    manager = EchoManager("h1", conf)
    svc = _service(conf, db, transport, manager)
    svc.start()
    try:
        assert manager.inited
        time.sleep(0.8)
        with db.read() as session:
            row = services_repo.get_by_host_binary(session, "h1", "abaca-echo")
            assert row is not None and row.report_count >= 3
            assert services_repo.is_up(row, 60)
            assert row.availability_zone is not None
            assert row.availability_zone.name == "az1"
        assert manager.ticks == 1  # every periodic_interval (1 s): once so far
        assert manager.fast_ticks >= 4  # its own spacing, despite the failing task
    finally:
        svc.stop()
        svc.wait()
    assert manager.cleaned


def test_rpc_call_reaches_the_manager_with_the_caller_context(parts: Any) -> None:
    conf, db, transport = parts
    svc = _service(conf, db, transport, EchoManager("h1", conf))
    svc.start()
    try:
        client = rpc.get_client(transport, "echo")
        ctxt = RequestContext(user_id="u", project_id="p1")
        result = client.prepare(server="h1", timeout=10).call(ctxt, "echo", value="hi")
        assert result == {"value": "hi", "project": "p1"}
    finally:
        svc.stop()
        svc.wait()


def test_stop_lets_messages_in_hand_finish(parts: Any) -> None:
    conf, db, transport = parts
    manager = EchoManager("h1", conf)
    svc = _service(conf, db, transport, manager)
    svc.start()
    client = rpc.get_client(transport, "echo")
    client.prepare(server="h1").cast(RequestContext.admin(), "slow", tag="in-hand")
    time.sleep(0.2)  # being handled now
    stopper = threading.Thread(target=lambda: (svc.stop(), svc.wait()))
    stopper.start()
    stopper.join(10)
    assert manager.finished == ["in-hand"]


def test_service_is_down_after_service_down_time_without_heartbeat(parts: Any) -> None:
    conf, db, transport = parts
    svc = _service(conf, db, transport, EchoManager("h1", conf))
    svc.start()
    svc.stop()
    svc.wait()
    time.sleep(1.2)
    with db.read() as session:
        row = services_repo.get_by_host_binary(session, "h1", "abaca-echo")
        assert row is not None
        assert not services_repo.is_up(row, 1)
        assert services_repo.is_up(row, 60)
        assert "h1" not in services_repo.usable_hosts(session, "abaca-echo", 1)


def test_unreachable_server_times_out_instead_of_hanging(parts: Any) -> None:
    _conf, _db, transport = parts
    client = rpc.get_client(transport, "nobody")
    with pytest.raises(oslo_messaging.MessagingTimeout):
        client.prepare(server="ghost", timeout=1).call(RequestContext.admin(), "echo",
                                                       value="x")
