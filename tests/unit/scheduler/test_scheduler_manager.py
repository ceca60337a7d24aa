"""The scheduler manager against a real SQLite database and the in-process transport."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import oslo_messaging
import pytest
from oslo_config import cfg
from sqlalchemy import select

from abaca.common.context import RequestContext
from abaca.common.errors import Invalid
from abaca.common.messages import Action, Detail
from abaca.common.types import RequestSpec, ShareTypeSpec
from abaca.db import migrate
from abaca.db.models import Message, Share, ShareInstance, utcnow
from abaca.db.repositories import services as services_repo
from abaca.db.session import Database
from abaca.rpc import transport as rpc
from abaca.scheduler.manager import SchedulerManager
from abaca.scheduler.rpcapi import SchedulerAPI

ReportFactory = Callable[..., dict[str, Any]]
CTXT = RequestContext(user_id="user", project_id="proj", request_id="req-test-1")


class ShareServiceStub:
    """Stands in for the share services: records what each receives, in one queue."""

    def __init__(self) -> None:
        self.received: queue.Queue[tuple[Any, ...]] = queue.Queue()

    def endpoint(self, server: str) -> Any:
        received = self.received

        class Endpoint:
            target = oslo_messaging.Target(version="1.0")

            def create_share_instance(self, ctxt: RequestContext,
                                      request_spec: dict[str, Any],
                                      candidates: list[dict[str, Any]]) -> None:
                received.put((server, "create_share_instance", ctxt.request_id,
                              request_spec, candidates))

            def publish_service_capabilities(self, ctxt: RequestContext) -> None:
                received.put((server, "publish_service_capabilities"))

        return Endpoint()

    def next(self) -> tuple[Any, ...]:
        return self.received.get(timeout=10)

    def assert_nothing_received(self) -> None:
        time.sleep(0.2)  # casts are asynchronous: give a stray one time to arrive
        assert self.received.empty()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.sqlite")
    migrate.sync(database)
    yield database
    database.dispose()


@pytest.fixture
def transport(conf: cfg.ConfigOpts) -> Iterator[oslo_messaging.Transport]:
    t = rpc.get_transport(conf, rpc.IN_PROCESS_URL)
    yield t
    t.cleanup()


@pytest.fixture
def share_service(transport: oslo_messaging.Transport) -> Iterator[ShareServiceStub]:
    stub = ShareServiceStub()
    servers = [rpc.get_server(transport, rpc.SHARE_TOPIC, host, [stub.endpoint(host)])
               for host in ("h1@b", "h2@b")]
    for server in servers:
        server.start()
    yield stub
    for server in servers:
        server.stop()
        server.wait()


@pytest.fixture
def manager(conf: cfg.ConfigOpts, db: Database, transport: oslo_messaging.Transport,
            make_report: ReportFactory) -> SchedulerManager:
    """Four share services: h1@b and h2@b usable, down@b silent, off@b disabled."""
    with db.write() as session:
        for host in ("h1@b", "h2@b", "down@b", "off@b"):
            svc = services_repo.register(session, host, "abaca-share", rpc.SHARE_TOPIC, "nova")
            if host == "down@b":
                svc.heartbeat_at = utcnow() - timedelta(seconds=conf.service_down_time + 5)
            if host == "off@b":
                svc.disabled = True
    mgr = SchedulerManager("sched", conf, db, transport)
    mgr.update_service_capabilities(CTXT, "h1@b", [make_report("p", free_capacity_gb=80),
                                                   make_report("q", free_capacity_gb=30)])
    mgr.update_service_capabilities(CTXT, "h2@b", [make_report("p", free_capacity_gb=40)])
    for host in ("down@b", "off@b"):
        mgr.update_service_capabilities(CTXT, host, [make_report("p", free_capacity_gb=100)])
    return mgr


def new_share(db: Database, size: int, status: str = "creating") -> RequestSpec:
    with db.write() as session:
        share = Share(project_id="proj", size=size, share_proto="NFS")
        session.add(share)
        session.flush()
        inst = ShareInstance(share_id=share.id, status=status)
        session.add(inst)
        session.flush()
        return RequestSpec(share_id=share.id, instance_id=inst.id, project_id="proj",
                           size=size, share_proto="NFS",
                           share_type=ShareTypeSpec(id="t", name="default", extra_specs={
                               "driver_handles_share_servers": "False"}))


def instance_and_messages(db: Database, spec: RequestSpec) -> tuple[str, list[Message]]:
    with db.read() as session:
        inst = session.get(ShareInstance, spec.instance_id)
        assert inst is not None
        msgs = list(session.scalars(select(Message).where(Message.resource_id == spec.share_id)))
        return inst.status, msgs


def test_sends_candidates_to_the_best_pools_service(
        manager: SchedulerManager, share_service: ShareServiceStub, db: Database) -> None:
    spec = new_share(db, size=10)
    manager.create_share_instance(CTXT, spec.to_dict())
    server, method, request_id, sent_spec, candidates = share_service.next()
    assert (server, method) == ("h1@b", "create_share_instance")
    assert request_id == CTXT.request_id
    assert sent_spec == spec.to_dict()
    # down@b and off@b report the most room but are not usable
    assert [c["host"] for c in candidates] == ["h1@b#p", "h2@b#p", "h1@b#q"]
    assert candidates[0]["weight"] == pytest.approx(1.0)
    assert instance_and_messages(db, spec) == ("creating", [])


def test_no_valid_host_puts_share_in_error_with_message(
        manager: SchedulerManager, share_service: ShareServiceStub, db: Database) -> None:
    spec = new_share(db, size=90)  # only down@b and off@b could hold it
    manager.create_share_instance(CTXT, spec.to_dict())
    status, msgs = instance_and_messages(db, spec)
    assert status == "error"
    assert [(m.project_id, m.resource_type, m.action_id, m.detail_id, m.request_id)
            for m in msgs] == [("proj", "SHARE", Action.ALLOCATE_HOST.id,
                                Detail.NO_VALID_HOST.id, CTXT.request_id)]
    share_service.assert_nothing_received()


def test_no_valid_host_when_type_matches_no_pool(
        manager: SchedulerManager, share_service: ShareServiceStub, db: Database) -> None:
    spec = new_share(db, size=1)
    spec = RequestSpec(**{**spec.to_dict(), "share_type": ShareTypeSpec(
        id="t", name="dhss", extra_specs={"driver_handles_share_servers": "True"})})
    manager.create_share_instance(CTXT, spec.to_dict())
    status, msgs = instance_and_messages(db, spec)
    assert (status, [m.detail_id for m in msgs]) == ("error", [Detail.NO_VALID_HOST.id])


@pytest.mark.parametrize("status", ["available", "deleting", "error"])
def test_instance_no_longer_creating_is_left_alone(
        manager: SchedulerManager, db: Database, status: str) -> None:
    spec = new_share(db, size=1000, status=status)
    manager.create_share_instance(CTXT, spec.to_dict())
    assert instance_and_messages(db, spec) == (status, [])


def test_deleted_instance_is_not_an_error(manager: SchedulerManager, db: Database) -> None:
    spec = new_share(db, size=1000)
    with db.write() as session:
        inst = session.get(ShareInstance, spec.instance_id)
        assert inst is not None
        inst.soft_delete()
    manager.create_share_instance(CTXT, spec.to_dict())  # must not raise
    assert instance_and_messages(db, spec)[1] == []


def test_unexpected_failure_puts_share_in_error(
        manager: SchedulerManager, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(manager.scheduler, "schedule", broken)
    spec = new_share(db, size=1)
    manager.create_share_instance(CTXT, spec.to_dict())
    status, msgs = instance_and_messages(db, spec)
    assert (status, [m.detail_id for m in msgs]) == ("error", [Detail.UNKNOWN_ERROR.id])


def test_malformed_request_spec_puts_share_in_error(manager: SchedulerManager,
                                                    db: Database) -> None:
    spec = new_share(db, size=1)
    raw = {"share_id": spec.share_id, "instance_id": spec.instance_id, "project_id": "proj",
           "size": 1, "unexpected": True}
    manager.create_share_instance(CTXT, raw)
    status, msgs = instance_and_messages(db, spec)
    assert (status, [m.detail_id for m in msgs]) == ("error", [Detail.UNKNOWN_ERROR.id])


def test_consecutive_requests_see_consumed_space(
        manager: SchedulerManager, share_service: ShareServiceStub, db: Database) -> None:
    # h1@b#p has 80 GiB, h2@b#p 40, h1@b#q 30: room for two 40 GiB shares on h1@b#p
    # and one on h2@b#p, none anywhere after that
    sent = []
    for _ in range(3):
        manager.create_share_instance(CTXT, new_share(db, size=40).to_dict())
        server, _method, _req, _spec, candidates = share_service.next()
        sent.append((server, [c["host"] for c in candidates]))
    assert sent == [("h1@b", ["h1@b#p", "h2@b#p"]),
                    ("h1@b", ["h1@b#p", "h2@b#p"]),  # 40 left on each: a tie, by name
                    ("h2@b", ["h2@b#p"])]
    last = new_share(db, size=40)
    manager.create_share_instance(CTXT, last.to_dict())
    assert instance_and_messages(db, last)[0] == "error"


@pytest.mark.parametrize(("filters", "names"), [
    (None, ["h1@b#p", "h1@b#q", "h2@b#p"]),
    ({}, ["h1@b#p", "h1@b#q", "h2@b#p"]),
    ({"host": "h1"}, ["h1@b#p", "h1@b#q"]),
    ({"host": "h"}, []),  # the whole part must match
    ({"host": "h.*"}, ["h1@b#p", "h1@b#q", "h2@b#p"]),
    ({"host": None, "pool": "q"}, ["h1@b#q"]),
    ({"backend": "b", "pool": "p|q", "host": "h2"}, ["h2@b#p"]),
    ({"backend": "other"}, []),
    ({"capabilities": {"free_capacity_gb": ">= 40"}}, ["h1@b#p", "h2@b#p"]),
    ({"capabilities": {"snapshot_support": True, "storage_protocol": "<in> nfs"}},
     ["h1@b#p", "h1@b#q", "h2@b#p"]),
    ({"capabilities": {"snapshot_support": False}}, []),
    ({"capabilities": {"no_such_capability": "x"}}, []),
])
def test_get_pools(manager: SchedulerManager, filters: dict[str, Any] | None,
                   names: list[str]) -> None:
    assert [p["name"] for p in manager.get_pools(CTXT, filters)] == names


def test_get_pools_shape(manager: SchedulerManager) -> None:
    pool = manager.get_pools(CTXT, {"host": "h2"})[0]
    assert {k: pool[k] for k in ("name", "host", "backend", "pool")} == {
        "name": "h2@b#p", "host": "h2", "backend": "b", "pool": "p"}
    assert pool["capabilities"]["free_capacity_gb"] == 40
    assert pool["capabilities"]["availability_zone"] == "nova"


@pytest.mark.parametrize("filters", [
    {"host": "("}, {"shar_type": "x"}, {"capabilities": ["x"]},
])
def test_get_pools_rejects_bad_filters(manager: SchedulerManager,
                                       filters: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        manager.get_pools(CTXT, filters)


def test_after_start_asks_share_services_to_report(
        manager: SchedulerManager, share_service: ShareServiceStub) -> None:
    manager.after_start()
    received = {share_service.next(), share_service.next()}
    assert received == {("h1@b", "publish_service_capabilities"),
                        ("h2@b", "publish_service_capabilities")}


def test_rpc_contract_with_scheduler_api(conf: cfg.ConfigOpts, db: Database,
                                         transport: oslo_messaging.Transport,
                                         make_report: ReportFactory) -> None:
    """The endpoints accept exactly what abaca.scheduler.rpcapi sends."""
    with db.write() as session:
        services_repo.register(session, "h9@b", "abaca-share", rpc.SHARE_TOPIC, "nova")
    mgr = SchedulerManager("sched", conf, db, transport)
    server = rpc.get_server(transport, rpc.SCHEDULER_TOPIC, "sched", [mgr])
    server.start()
    try:
        api = SchedulerAPI(transport)
        api.update_service_capabilities(CTXT, "h9@b", [make_report("p")])
        deadline = time.monotonic() + 10
        pools: list[dict[str, Any]] = []
        while not pools and time.monotonic() < deadline:
            pools = api.get_pools(CTXT, {"host": "h9"})
            time.sleep(0.02)
        assert [p["name"] for p in pools] == ["h9@b#p"]
    finally:
        server.stop()
        server.wait()


@pytest.mark.parametrize(("host", "increase", "ok"), [
    ("h1@b#p", 80, True),
    ("h1@b#p", 81, False),
    ("h1@b#q", 31, False),
    ("h1@b#gone", 1, False),
    ("down@b#p", 1, False),  # its service stopped reporting
    ("off@b#p", 1, False),  # its service is disabled
    ("h1@b#p", 0, True),
])
def test_check_extend(manager: SchedulerManager, host: str, increase: int, ok: bool) -> None:
    assert manager.check_extend(CTXT, host, increase) is ok


def test_check_extend_consumes_and_uses_the_share_type(manager: SchedulerManager,
                                                       make_report: ReportFactory) -> None:
    assert manager.check_extend(CTXT, "h2@b#p", 30) is True
    assert manager.check_extend(CTXT, "h2@b#p", 30) is False  # 10 GiB left
    manager.update_service_capabilities(CTXT, "h2@b", [make_report(
        "p", free_capacity_gb=10, thin_provisioning=True, max_over_subscription_ratio=4.0,
        provisioned_capacity_gb=100)])
    thick = RequestSpec(share_id="s", instance_id="i", project_id="proj", size=5,
                        share_proto="NFS", share_type=ShareTypeSpec(
                            id="t", name="thick", extra_specs={"thin_provisioning": "False"}))
    assert manager.check_extend(CTXT, "h2@b#p", 30, thick.to_dict()) is False
    assert manager.check_extend(CTXT, "h2@b#p", 30) is True  # thin: 10 * 4 >= 30


@pytest.mark.parametrize("increase", ["10", 1.5, True, None])
def test_check_extend_rejects_a_bad_increase(manager: SchedulerManager, increase: Any) -> None:
    with pytest.raises(Invalid):
        manager.check_extend(CTXT, "h1@b#p", increase)


def test_check_extend_over_rpc(manager: SchedulerManager,
                               transport: oslo_messaging.Transport) -> None:
    server = rpc.get_server(transport, rpc.SCHEDULER_TOPIC, "sched", [manager])
    server.start()
    try:
        client = rpc.get_client(transport, rpc.SCHEDULER_TOPIC, version="1.1")
        call = client.prepare(timeout=10).call
        assert call(CTXT, "check_extend", host="h1@b#q", size_increase=30) is True
        assert call(CTXT, "check_extend", host="h1@b#q", size_increase=1) is False
    finally:
        server.stop()
        server.wait()
