"""The Alembic migrations build exactly the schema the models describe, on every database.

For SQLite (a file), PostgreSQL and MariaDB: ``abaca.db.migrate.sync`` on an empty
database reaches the head revision, alembic's autogenerate finds no difference
between the migrated schema and ``abaca.db.models.Base.metadata``, and a second sync
changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from abaca.db import migrate
from abaca.db.models import Base
from abaca.db.session import Database

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def schema_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'abaca.sqlite'}"
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()
        return
    url = request.getfixturevalue(f"{request.param}_url")
    db = Database(url)
    try:
        yield db
    finally:
        db.dispose()  # before the database is dropped


def _diff(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                     "compare_server_default": False})
        return list(compare_metadata(ctx, Base.metadata))


def _schema(db: Database) -> dict[str, Any]:
    insp = inspect(db.engine)
    return {table: (sorted(c["name"] for c in insp.get_columns(table)),
                    sorted(str(i["name"]) for i in insp.get_indexes(table)),
                    sorted(str(u["name"]) for u in insp.get_unique_constraints(table)))
            for table in sorted(insp.get_table_names())}


def test_migrations_match_models(schema_db: Database) -> None:
    assert migrate.current(schema_db) is None
    migrate.sync(schema_db)
    assert migrate.current(schema_db) == migrate.head()
    tables = set(inspect(schema_db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables

    assert _diff(schema_db) == []

    before = _schema(schema_db)
    migrate.sync(schema_db)  # harmless the second time
    assert migrate.current(schema_db) == migrate.head()
    assert _schema(schema_db) == before
    assert _diff(schema_db) == []
