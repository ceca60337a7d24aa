from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from abaca.scheduler.host_manager import HostManager

ReportFactory = Callable[..., dict[str, Any]]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def names(manager: HostManager, usable: set[str], max_age: float = 60) -> list[str]:
    return [p.name for p in manager.pools(usable, max_age)]


def test_pools_of_usable_hosts_only(make_report: ReportFactory) -> None:
    hm = HostManager()
    hm.update_service_capabilities("h1@b", [make_report("p1"), make_report("p2")])
    hm.update_service_capabilities("h2@b", [make_report("p1")])
    assert names(hm, {"h1@b", "h2@b"}) == ["h1@b#p1", "h1@b#p2", "h2@b#p1"]
    # a service that is down or disabled is not in the usable set
    assert names(hm, {"h2@b"}) == ["h2@b#p1"]
    assert names(hm, set()) == []


def test_latest_report_replaces_pools(make_report: ReportFactory) -> None:
    hm = HostManager()
    hm.update_service_capabilities("h@b", [make_report("p1"), make_report("p2")])
    hm.update_service_capabilities("h@b", [make_report("p2", free_capacity_gb=7),
                                           make_report("p3")])
    pools = hm.pools({"h@b"}, 60)
    assert [p.name for p in pools] == ["h@b#p2", "h@b#p3"]
    assert pools[0].free_capacity_gb == 7
    hm.update_service_capabilities("h@b", [])
    assert names(hm, {"h@b"}) == []


def test_reports_age_out(make_report: ReportFactory) -> None:
    clock = Clock()
    hm = HostManager(clock=clock)
    hm.update_service_capabilities("old@b", [make_report()])
    clock.now += 50
    hm.update_service_capabilities("new@b", [make_report()])
    clock.now += 20
    # old was reported 70 s ago, new 20 s ago
    assert names(hm, {"old@b", "new@b"}, max_age=60) == ["new@b#p"]
    assert names(hm, {"old@b", "new@b"}, max_age=70) == ["new@b#p", "old@b#p"]
    hm.update_service_capabilities("old@b", [make_report()])
    assert names(hm, {"old@b", "new@b"}, max_age=60) == ["new@b#p", "old@b#p"]


def test_malformed_pool_is_skipped_not_the_report(make_report: ReportFactory) -> None:
    hm = HostManager()
    bad: dict[str, Any] = make_report("bad", total_capacity_gb="lots")
    hm.update_service_capabilities("h@b", [bad, make_report("good"), {"no": "name"}])
    assert names(hm, {"h@b"}) == ["h@b#good"]


def test_host_that_is_not_host_at_backend_is_ignored(make_report: ReportFactory) -> None:
    hm = HostManager()
    for host in ("h", "@b", "h@", "h@b#p"):
        hm.update_service_capabilities(host, [make_report()])
    assert hm.pools({"h", "@b", "h@", "h@b#p"}, 60) == []


def test_pools_are_shared_so_consumption_is_seen(make_report: ReportFactory) -> None:
    hm = HostManager()
    hm.update_service_capabilities("h@b", [make_report(free_capacity_gb=50)])
    hm.pools({"h@b"}, 60)[0].consume(10)
    assert hm.pools({"h@b"}, 60)[0].free_capacity_gb == 40


def test_concurrent_reports_and_reads(make_report: ReportFactory) -> None:
    hm = HostManager()
    errors: list[BaseException] = []

    def report(i: int) -> None:
        try:
            for n in range(200):
                hm.update_service_capabilities(f"h{i}@b", [make_report(f"p{n % 3}")])
                hm.pools({f"h{j}@b" for j in range(8)}, 60)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=report, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(hm.pools({f"h{j}@b" for j in range(8)}, 60)) == 8


def test_a_placement_is_counted_on_top_of_reports_until_reported_over(
        make_report: ReportFactory) -> None:
    hm = HostManager()
    hm.update_service_capabilities("h@b", [make_report("p", free_capacity_gb=50)])
    pool = hm.pools({"h@b"}, 60)[0]
    hm.consume(pool, 30, "inst-1")
    assert pool.free_capacity_gb == 20
    # a report gathered before the share was created says 50 free: 30 are on their way
    hm.update_service_capabilities("h@b", [make_report("p", free_capacity_gb=50)])
    assert hm.pools({"h@b"}, 60)[0].free_capacity_gb == 20
    assert hm.pending("h@b#p") == {"inst-1": 30}
    # the share exists and the report says so: counted once, by the report alone
    hm.update_service_capabilities("h@b", [make_report("p", free_capacity_gb=20,
                                                       allocated_capacity_gb=80)],
                                   finished=["inst-1"])
    (pool,) = hm.pools({"h@b"}, 60)
    assert (pool.free_capacity_gb, pool.allocated_capacity_gb) == (20, 80)
    assert hm.pending("h@b#p") == {}


def test_another_hosts_report_does_not_settle_a_placement(make_report: ReportFactory) -> None:
    hm = HostManager()
    hm.update_service_capabilities("a@b", [make_report("p")])
    hm.update_service_capabilities("c@b", [make_report("p")])
    hm.consume(hm.pools({"a@b"}, 60)[0], 10, "inst-1")
    hm.update_service_capabilities("c@b", [make_report("p")], finished=["inst-1"])
    hm.update_service_capabilities("a@b", [make_report("p")])
    assert hm.pools({"a@b"}, 60)[0].free_capacity_gb == 40


def test_a_placement_no_report_settles_is_forgotten_after_its_age(
        make_report: ReportFactory) -> None:
    clock = Clock()
    hm = HostManager(clock=clock, pending_max_age=600)
    hm.update_service_capabilities("h@b", [make_report("p")])
    hm.consume(hm.pools({"h@b"}, 60)[0], 10, "inst-1")
    clock.now += 599
    hm.update_service_capabilities("h@b", [make_report("p")])
    assert hm.pools({"h@b"}, 60)[0].free_capacity_gb == 40
    clock.now += 2  # its share service died with the news
    hm.update_service_capabilities("h@b", [make_report("p")])
    assert hm.pools({"h@b"}, 60)[0].free_capacity_gb == 50
    assert hm.pending("h@b#p") == {}
