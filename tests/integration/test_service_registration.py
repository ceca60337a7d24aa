"""Services that register at the same moment on a shared database.

On PostgreSQL and MariaDB, processes write the database concurrently. When two
services start at once on a fresh database (systemd starts abaca-scheduler and
abaca-share together), both find no row for their availability zone and both insert
it; the second insert violates the (name, deleted) unique constraint, and that
service dies at start-up. The test makes the interleaving deterministic: the first
registration holds its uncommitted zone row while the second one runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from abaca.db import migrate
from abaca.db.repositories import services as services_repo
from abaca.db.session import Database

pytestmark = pytest.mark.integration


@pytest.fixture(params=["postgresql", "mariadb"])
def shared_db(request: pytest.FixtureRequest) -> Iterator[Database]:
    db = Database(request.getfixturevalue(f"{request.param}_url"))
    migrate.sync(db)
    try:
        yield db
    finally:
        db.dispose()


def test_concurrent_registration_same_new_zone(shared_db: Database) -> None:
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with shared_db.write() as session:
                services_repo.register(session, "node@backend1", "abaca-share",
                                       "abaca-share", "zone-a")
        except BaseException as exc:
            errors.append(exc)

    with shared_db.write() as session:
        services_repo.register(session, "node", "abaca-scheduler", "abaca-scheduler",
                               "zone-a")
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(1.0)  # the second one now waits on the uncommitted zone row
    thread.join(30)
    assert not thread.is_alive()
    assert not errors, f"second registration failed: {errors[0]!r}"
    with shared_db.read() as session:
        names = [az.name for az in services_repo.list_availability_zones(session)]
        assert names == ["zone-a"]
        assert len(services_repo.list_services(session)) == 2
