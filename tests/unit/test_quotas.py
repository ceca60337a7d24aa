"""The quota service on SQLite: reservations, commits and rollbacks, the three scopes,
expiry, recounts from live rows, and concurrent consumers that never overshoot."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from oslo_config import cfg
from sqlalchemy import select

from abaca.conf import quota as quota_conf
from abaca.db import migrate
from abaca.db.models import Quota, QuotaUsage, Reservation, Share, ShareInstance, utcnow
from abaca.db.session import Database
from abaca.services import quotas
from abaca.services.quotas import OverQuota, Scope

PROJECT = Scope("proj", "alice", "type-a")


@pytest.fixture
def conf() -> cfg.ConfigOpts:
    opts = cfg.ConfigOpts()
    quota_conf.register(opts)
    opts([], project="abaca-test", default_config_files=[])
    opts.set_override("shares", 10, "quota")
    opts.set_override("gigabytes", 100, "quota")
    return opts


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'q.sqlite'}")
    migrate.sync(database)
    yield database
    database.dispose()


def usage_of(db: Database, scope: Scope = PROJECT, **kwargs: Any) -> dict[str, tuple[int, int]]:
    with db.read() as session:
        return quotas.usage(session, scope.project_id, **kwargs)


def add_share(db: Database, size: int, user: str = "alice", stype: str | None = None,
              status: str = "available") -> None:
    with db.write() as session:
        share = Share(user_id=user, project_id="proj", size=size, share_proto="NFS",
                      share_type_id=stype)
        session.add(share)
        session.flush()
        session.add(ShareInstance(share_id=share.id, status=status))


def test_reserve_then_commit_moves_reserved_into_in_use(db: Database, conf: Any) -> None:
    with db.write() as session:
        ids = quotas.reserve(session, conf, PROJECT, {"shares": 1, "gigabytes": 5})
    assert usage_of(db)["gigabytes"] == (0, 5)
    assert usage_of(db, user_id="alice")["gigabytes"] == (0, 5)
    with db.write() as session:
        quotas.commit(session, ids)
        quotas.commit(session, ids)  # twice is harmless
    assert usage_of(db)["gigabytes"] == (5, 0)
    assert usage_of(db, share_type_id="type-a")["shares"] == (1, 0)


def test_rollback_by_origin_gives_the_reservation_back(db: Database, conf: Any) -> None:
    with db.write() as session:
        quotas.reserve(session, conf, PROJECT, {"gigabytes": 7}, origin="share:x:resize")
    with db.write() as session:
        assert quotas.rollback_origin(session, "share:x:resize")
        assert not quotas.commit_origin(session, "share:x:resize")
    assert usage_of(db)["gigabytes"] == (0, 0)


def test_over_quota_names_the_resource_and_scope_and_reserves_nothing(
        db: Database, conf: Any) -> None:
    with pytest.raises(OverQuota) as info, db.write() as session:
        quotas.reserve(session, conf, PROJECT, {"shares": 1, "gigabytes": 101})
    assert (info.value.resource, info.value.scope, info.value.code) == (
        "gigabytes", "project", 413)
    assert usage_of(db)["shares"] == (0, 0)


def test_user_and_share_type_limits_are_checked_with_the_projects(
        db: Database, conf: Any) -> None:
    with db.write() as session:
        session.add_all([
            Quota(project_id="proj", user_id="alice", resource="shares",
                         hard_limit=1),
            Quota(project_id="proj", share_type_id="type-b", resource="gigabytes",
                         hard_limit=3)])
    with db.write() as session:
        quotas.consume(session, conf, PROJECT, {"shares": 1})
    with pytest.raises(OverQuota) as info, db.write() as session:
        quotas.consume(session, conf, PROJECT, {"shares": 1})
    assert info.value.scope == "user"
    with db.write() as session:  # bob has no user quota: the project's 10 apply
        quotas.consume(session, conf, Scope("proj", "bob"), {"shares": 1})
    with pytest.raises(OverQuota) as info, db.write() as session:
        quotas.consume(session, conf, Scope("proj", "bob", "type-b"), {"gigabytes": 4})
    assert info.value.scope == "share type"
    assert usage_of(db)["shares"] == (2, 0)


def test_negative_deltas_are_never_refused_and_count_when_committed(
        db: Database, conf: Any) -> None:
    with db.write() as session:
        quotas.consume(session, conf, PROJECT, {"shares": 2, "gigabytes": 10})
    conf.set_override("shares", 0, "quota")  # even when over quota now
    with db.write() as session:
        ids = quotas.reserve(session, conf, PROJECT, {"shares": -1, "gigabytes": -4})
    assert usage_of(db)["gigabytes"] == (10, 0)  # nothing held back
    with db.write() as session:
        quotas.commit(session, ids)
    assert usage_of(db)["gigabytes"] == (6, 0)
    assert usage_of(db, user_id="alice")["shares"] == (1, 0)


def test_per_share_gigabytes_is_a_limit_not_a_usage(db: Database, conf: Any) -> None:
    conf.set_override("per_share_gigabytes", 5, "quota")
    with pytest.raises(OverQuota, match="larger than maximum allowed limit 5"), \
            db.write() as session:
        quotas.consume(session, conf, PROJECT, {"gigabytes": 6, "per_share_gigabytes": 6})
    with db.write() as session:
        quotas.consume(session, conf, PROJECT, {"gigabytes": 5, "per_share_gigabytes": 5})
        quotas.consume(session, conf, PROJECT, {"gigabytes": 5, "per_share_gigabytes": 5})
    assert usage_of(db)["gigabytes"] == (10, 0)


def test_expired_reservations_are_rolled_back(db: Database, conf: Any) -> None:
    with db.write() as session:
        quotas.reserve(session, conf, PROJECT, {"gigabytes": 60})
        quotas.reserve(session, conf, Scope("proj"), {"shares": 3})
    with db.write() as session:
        for res in session.scalars(select(Reservation)):
            res.expire = utcnow() - timedelta(seconds=1)
    # The next reservation on the same rows first rolls the expired one back.
    with db.write() as session:
        quotas.reserve(session, conf, PROJECT, {"gigabytes": 60})
    assert usage_of(db)["gigabytes"] == (0, 60)
    assert usage_of(db)["shares"] == (0, 3)
    with db.write() as session:  # what a periodic task would run
        assert quotas.expire_reservations(session) == 1  # the project-only one
    assert usage_of(db)["shares"] == (0, 0)


def test_a_missing_usage_is_counted_from_live_rows(db: Database, conf: Any) -> None:
    add_share(db, 4)
    add_share(db, 6, user="bob", stype=None)
    add_share(db, 50, status="manage_starting")  # not the project's until managed
    assert usage_of(db)["gigabytes"] == (10, 0)  # read without a usage row
    with db.write() as session:
        quotas.consume(session, conf, PROJECT, {"shares": 1, "gigabytes": 1})
    assert usage_of(db)["gigabytes"] == (11, 0)
    assert usage_of(db, user_id="alice")["gigabytes"] == (5, 0)
    assert usage_of(db, user_id="bob")["gigabytes"] == (6, 0)


@pytest.mark.parametrize("option", ["until_refresh", "max_age"])
def test_usage_out_of_sync_is_recounted(db: Database, conf: Any, option: str) -> None:
    conf.set_override(option, 1, "quota")
    add_share(db, 4)
    with db.write() as session:
        quotas.consume(session, conf, Scope("proj"), {"shares": 1, "gigabytes": 2})
    add_share(db, 2)  # the consumer above never wrote its share: usage is off by one
    with db.write() as session:
        row = session.scalar(select(QuotaUsage).where(QuotaUsage.resource == "gigabytes"))
        assert row is not None and row.in_use == 6
        row.in_use = 77  # and someone corrupted it
        if option == "max_age":
            row.updated_at = utcnow() - timedelta(seconds=5)
    with db.write() as session:
        quotas.reserve(session, conf, Scope("proj"), {"gigabytes": 1})
    assert usage_of(db)["gigabytes"] == (6, 1)


def test_concurrent_consumers_never_overshoot(db: Database, conf: Any) -> None:
    def one(i: int) -> bool:
        try:
            with db.write() as session:
                quotas.consume(session, conf, Scope("proj", f"u{i % 3}", "type-a"),
                               {"shares": 1, "gigabytes": 1})
        except OverQuota:
            return False
        return True

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    assert results.count(True) == 10
    assert usage_of(db)["shares"] == (10, 0)
    assert usage_of(db, share_type_id="type-a")["gigabytes"] == (10, 0)
    assert sum(usage_of(db, user_id=f"u{i}")["shares"][0] for i in range(3)) == 10


def test_unknown_resources_are_programming_errors(db: Database, conf: Any) -> None:
    with pytest.raises(ValueError, match="volumes"), db.write() as session:
        quotas.reserve(session, conf, PROJECT, {"volumes": 1})
    with pytest.raises(ValueError):
        quotas.register_counter("volumes", lambda *_: 0)


def test_the_schedulers_periodic_task_expires_reservations(db: Database) -> None:
    from abaca import conf as confmod
    from abaca.common.context import RequestContext
    from abaca.rpc import transport as rpc
    from abaca.scheduler.manager import SchedulerManager

    full = confmod.new_conf()
    full([], project="abaca")
    with db.write() as session:
        quotas.reserve(session, full, PROJECT, {"gigabytes": 5})
        quotas.reserve(session, full, PROJECT, {"shares": 1}, expire=3600)
        for res in session.scalars(select(Reservation).where(
                Reservation.resource == "gigabytes")):
            res.expire = utcnow() - timedelta(seconds=1)
    transport = rpc.get_transport(full, rpc.IN_PROCESS_URL)
    try:
        mgr = SchedulerManager("sched", full, db, transport)
        mgr.run_periodic_tasks(RequestContext.admin(), force=True)
    finally:
        transport.cleanup()
    assert usage_of(db)["gigabytes"] == (0, 0)
    assert usage_of(db)["shares"] == (0, 1)  # not expired yet


_FRESH_PROCESS = """
import sys
from abaca.db.models import ShareNetwork
from abaca.db.session import Database
from abaca.services import quotas
assert "abaca.services.share_networks" not in sys.modules
db = Database(sys.argv[1])
with db.write() as session:
    session.add(ShareNetwork(project_id="proj", user_id="alice", name="n"))
with db.read() as session:
    print(quotas.count(session, "share_networks", "proj"),
          quotas.count(session, "share_networks", "proj", "bob"))
"""


def test_counters_of_other_modules_load_in_a_process_that_never_imported_them(
        db: Database) -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-W", "ignore", "-c", _FRESH_PROCESS, db.url],
                         capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["1", "0"], out.stderr
