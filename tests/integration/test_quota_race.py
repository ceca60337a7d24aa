"""Concurrent creates against a quota, on PostgreSQL and MariaDB with two API workers:
exactly the quota's worth succeed, never more, and the usage the quota service keeps
(in_use, reserved) matches the shares that exist."""

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
    detail = requests.get(f"{dep.endpoint}/v2/quota-sets/race/detail",
                          headers={"X-Auth-Token": "admin:race",
                                   "X-OpenStack-Manila-API-Version": "2.25"},
                          timeout=30).json()["quota_set"]
    assert detail["shares"] == {"in_use": 10, "reserved": 0, "limit": 10}
    assert detail["gigabytes"] == {"in_use": 10, "reserved": 0, "limit": 1000}


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_concurrent_creates_of_two_users_against_user_and_share_type_quotas(
        deploy: Callable[..., Deployment]) -> None:
    """Each user may have 4 shares and the share type 6 in all: of 8 concurrent creates
    per user, 6 succeed in all, at most 4 per user, and every usage row agrees."""
    dep = deploy({"backend1": dummy_backend("pool0:10000")})
    headers = {"X-Auth-Token": "admin:race", "X-OpenStack-Manila-API-Version": "2.65"}
    base = f"{dep.endpoint}/v2/quota-sets/race"
    for query, values in (("?user_id=u1", {"shares": 4}), ("?user_id=u2", {"shares": 4}),
                          ("?share_type=default", {"shares": 6})):
        resp = requests.put(base + query, json={"quota_set": values}, headers=headers,
                            timeout=30)
        assert resp.status_code == 200, resp.text

    def create(i: int) -> tuple[str, int]:
        user = f"u{i % 2 + 1}"
        resp = requests.post(f"{dep.endpoint}/v2/shares",
                             json={"share": {"share_proto": "NFS", "size": 2,
                                             "share_type": "default"}},
                             headers={**headers, "X-Auth-Token": f"{user}:race"}, timeout=60)
        return user, resp.status_code

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(create, range(16)))
    made = {u: sum(1 for who, code in results if who == u and code == 200)
            for u in ("u1", "u2")}
    assert sum(made.values()) == 6 and max(made.values()) <= 4, results
    assert all(code in (200, 413) for _, code in results), results
    for query, shares in (("", 6), ("?user_id=u1", made["u1"]), ("?user_id=u2", made["u2"]),
                          ("?share_type=default", 6)):
        detail = requests.get(f"{base}/detail{query}", headers=headers,
                              timeout=30).json()["quota_set"]
        assert detail["shares"]["in_use"] == shares, (query, detail)
        assert detail["gigabytes"] == {"in_use": 2 * shares, "reserved": 0,
                                       "limit": 1000}, (query, detail)
