"""Concurrent creates against a quota, on PostgreSQL and MariaDB with two API workers:
exactly the quota's worth succeed, never more."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.fixtures.servers import dummy_backend
from tests.integration.conftest import Deployment

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_twenty_concurrent_creates_against_a_quota_of_ten(
        deploy: Callable[..., Deployment]) -> None:
    dep = deploy({"backend1": dummy_backend("pool0:10000")},
                 groups={"quota": {"shares": 10, "gigabytes": 1000}})

    def create(i: int) -> int:
        resp = requests.post(f"{dep.endpoint}/v2/shares",
                             json={"share": {"share_proto": "NFS", "size": 1,
                                             "name": f"race-{i}"}},
                             headers={"X-Auth-Token": "admin:race",
                                      "X-OpenStack-Manila-API-Version": "2.42"}, timeout=60)
        return resp.status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(create, range(20)))
    assert sorted(codes) == [200] * 10 + [413] * 10, codes
    listed = requests.get(f"{dep.endpoint}/v2/shares?all_tenants=1&project_id=race",
                          headers={"X-Auth-Token": "admin:race"}, timeout=30).json()
    assert len(listed["shares"]) == 10
    limits = requests.get(f"{dep.endpoint}/v2/limits",
                          headers={"X-Auth-Token": "admin:race"}, timeout=30).json()
    assert limits["limits"]["absolute"]["totalSharesUsed"] == 10
