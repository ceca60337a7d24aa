"""Schema migrations (Alembic), run by ``abaca-manage db sync`` and at all-in-one start."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from abaca.db.session import Database

LOCK_KEY = 0x41BACA  # the advisory lock that serialises migrations on PostgreSQL
MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    return cfg


def sync(db: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; safe to run again and from several nodes at
    once (a database-wide lock lets one node migrate while the others wait)."""
    cfg = _config()
    with db.engine.begin() as conn:
        dialect = conn.dialect.name
        if dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        elif dialect in ("mysql", "mariadb"):
            got = conn.execute(text("SELECT GET_LOCK('abaca-migrate', 300)")).scalar()
            if got != 1:
                raise RuntimeError("another node has been migrating for 300 s; try again")
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        finally:
            if dialect in ("mysql", "mariadb"):
                conn.execute(text("SELECT RELEASE_LOCK('abaca-migrate')"))


def current(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()
