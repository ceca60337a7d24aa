"""SQLite holds up under many writing threads (the all-in-one case) and processes."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from abaca.db import migrate
from abaca.db.models import Message, Service
from abaca.db.session import Database


def _write_many(url: str, worker: int, count: int) -> None:
    db = Database(url)
    for i in range(count):
        with db.write() as session:
            # read, then write, in one transaction: the case that fails with
            # "database is locked" when transactions start deferred
            total = session.scalar(select(func.count(Service.id)))
            assert total is not None
            session.add(Service(host=f"w{worker}-{i}", binary="b", topic="t"))
    db.dispose()


def test_threads_write_concurrently_without_database_is_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/t.sqlite"
    db = Database(url)
    migrate.sync(db)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda w: _write_many(url, w, 25), range(16)))
    with db.read() as session:
        assert session.scalar(select(func.count(Service.id))) == 16 * 25


def test_processes_write_concurrently(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/p.sqlite"
    migrate.sync(Database(url))
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(url, w, 30)) for w in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    with Database(url).read() as session:
        assert session.scalar(select(func.count(Service.id))) == 90


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/r.sqlite")
    migrate.sync(db)
    def insert_then_fail() -> None:
        with db.write() as session:
            session.add(Message(project_id="p", resource_type="SHARE", action_id="001",
                                detail_id="001", message_level="ERROR"))
            session.flush()
            raise RuntimeError("validation failed after the insert")

    with pytest.raises(RuntimeError):
        insert_then_fail()
    with db.read() as session:
        assert session.scalar(select(func.count(Message.id))) == 0


def test_objects_stay_readable_after_the_block(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/o.sqlite")
    migrate.sync(db)
    with db.write() as session:
        session.add(Service(host="h", binary="b", topic="t"))
    with db.read() as session:
        row = session.scalar(select(Service))
    assert row is not None and row.host == "h"


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="in-memory"):
        Database("sqlite://")
