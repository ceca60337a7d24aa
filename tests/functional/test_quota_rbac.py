"""Quota sets and classes under Keystone and oslo.policy (quota_set:*, quota_class_set:*):
readers see their own project's quotas, only admins change them, and another project's
quotas are forbidden (403, as Manila's project check answers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fixtures import servers
from tests.fixtures.keystone import Keystone

VERSION = "2.65"


@pytest.fixture(scope="module")
def endpoint(keystone: Keystone,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("aio-quota-rbac")
    groups = {"keystone_authtoken": keystone.authtoken_options()}
    with servers.all_in_one(tmp, {"alpha": servers.dummy_backend()}, groups,
                            auth_strategy="keystone") as (url, _proc):
        servers.wait_for_pools(url, 1, token=keystone.token("a-admin"))
        yield url


def call(endpoint: str, keystone: Keystone, user: str, method: str,
         path: str, body: Any = None) -> requests.Response:
    return requests.request(method, f"{endpoint}/v2{path}", json=body, timeout=30, headers={
        "X-Auth-Token": keystone.token(user), "X-OpenStack-Manila-API-Version": VERSION})


def test_quota_policies(endpoint: str, keystone: Keystone) -> None:
    a, b = keystone.project_ids["project-a"], keystone.project_ids["project-b"]
    update = {"quota_set": {"shares": 9}}
    expected = [
        ("a-reader", "GET", f"/quota-sets/{a}", None, 200),
        ("a-member", "GET", f"/quota-sets/{a}/detail", None, 200),
        ("a-member", "GET", f"/quota-sets/{a}/defaults", None, 200),
        ("a-member", "PUT", f"/quota-sets/{a}", update, 403),
        ("a-member", "DELETE", f"/quota-sets/{a}", None, 403),
        ("a-member", "GET", f"/quota-sets/{b}", None, 403),
        ("b-reader", "GET", f"/quota-sets/{a}/detail", None, 403),
        ("a-reader", "GET", "/quota-class-sets/default", None, 200),
        ("a-member", "PUT", "/quota-class-sets/default",
         {"quota_class_set": {"shares": 1}}, 403),
        ("a-member", "GET", "/limits", None, 200),
        ("a-admin", "PUT", f"/quota-sets/{a}", update, 200),
    ]
    wrong = {}
    for user, method, path, body, code in expected:
        resp = call(endpoint, keystone, user, method, path, body)
        if resp.status_code != code:
            wrong[(user, method, path)] = (resp.status_code, resp.text[:200])
    assert not wrong, wrong
    # The admin's update took effect, and nothing the others tried did.
    shown = call(endpoint, keystone, "a-reader", "GET", f"/quota-sets/{a}").json()
    assert shown["quota_set"]["shares"] == 9
    classes = call(endpoint, keystone, "a-reader", "GET", "/quota-class-sets/default").json()
    assert classes["quota_class_set"]["shares"] == 50
    assert call(endpoint, keystone, "a-admin", "DELETE", f"/quota-sets/{a}").status_code == 202
