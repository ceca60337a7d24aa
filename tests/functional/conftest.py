"""One all-in-one service per module: SQLite, in-process bus, dummy backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import servers

BACKENDS = {
    "alpha": servers.dummy_backend("p1:100,p2:200"),
    "beta": servers.dummy_backend("fast:500", dummy_capabilities="disk_type:ssd",
                                  backend_availability_zone="zone-b"),
}


@pytest.fixture(scope="module")
def aio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("aio")


@pytest.fixture(scope="module")
def endpoint(aio_dir: Path) -> Iterator[str]:
    with servers.all_in_one(aio_dir, BACKENDS) as (url, proc):
        servers.wait_for_pools(url, 3)
        yield url
        log = proc.log.read_text(errors="replace")
    assert "database is locked" not in log
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture
def mc(endpoint: str) -> Any:
    return servers.manila(endpoint, "2.42")
