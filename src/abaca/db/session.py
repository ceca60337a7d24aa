"""Engines and transactions.

SQLite must hold up when the API, the scheduler and the share service write from
many threads of one process: writers in a process take one lock and open their
transaction with ``BEGIN IMMEDIATE``, so two writers never deadlock on a lock
upgrade (what makes upstream Manila fail with "database is locked"); readers never
wait thanks to WAL. Other processes that write the same file wait up to
``sqlite_busy_timeout``. PostgreSQL and MariaDB need none of this.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


class Database:
    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 20,
                 sqlite_busy_timeout: int = 30) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._write_lock = threading.RLock()
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": sqlite_busy_timeout,
                                      "check_same_thread": False}
            if url in ("sqlite://", "sqlite:///:memory:"):
                raise ValueError("an in-memory SQLite database cannot be shared between "
                                 "threads; give a file path")
        else:
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True,
                          pool_recycle=3600)
            if url.startswith(("mysql", "mariadb")):
                # As on PostgreSQL: each statement sees what committed before it. Under
                # MariaDB's REPEATABLE READ a count made after taking a lock would still
                # read the snapshot of the transaction's first read, and quota checks
                # would let concurrent requests overshoot.
                kwargs["isolation_level"] = "READ COMMITTED"
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine, sqlite_busy_timeout)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A read-write transaction, committed when the block ends without error."""
        if not self.is_sqlite:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
            return
        with self._write_lock, self.engine.connect() as conn:
            conn.info["begin_mode"] = "IMMEDIATE"
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only view; nothing written in it is kept.

        Closing (not rolling back) ends the transaction and leaves the loaded objects
        readable after the block.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


T = TypeVar("T")


def insert_or_get(session: Session, row: T, query: Select[Any]) -> T:
    """Insert ``row``; if a concurrent transaction inserted its twin first (a unique
    constraint fires), return that one instead.

    The insert runs in a savepoint so the caller's transaction survives the conflict;
    the re-read locks the row, which makes MariaDB's REPEATABLE READ see the other
    transaction's committed insert.
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found: T | None = session.scalar(query.with_for_update())
        if found is None:
            raise
        return found
    return row


def _configure_sqlite(engine: Engine, busy_timeout: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout) * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.info.pop("begin_mode", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def url_from_conf(conf: Any) -> str:
    if conf.database.connection:
        return str(conf.database.connection)
    return "sqlite:///" + os.path.join(conf.state_path, "abaca.sqlite")


def from_conf(conf: Any) -> Database:
    url = url_from_conf(conf)
    if url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(os.path.abspath(url[len("sqlite:///"):])), exist_ok=True)
    return Database(url, pool_size=conf.database.pool_size,
                    max_overflow=conf.database.max_overflow,
                    sqlite_busy_timeout=conf.database.sqlite_busy_timeout)
