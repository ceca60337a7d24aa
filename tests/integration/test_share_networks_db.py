"""Share networks on PostgreSQL and MariaDB with two API workers: concurrent requests
on one network happen one after the other (one subnet per zone, one association per
security service, the share_networks quota), and the list filters work in SQL there."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.fixtures.servers import dummy_backend, manila
from tests.integration.conftest import Deployment

pytestmark = pytest.mark.integration
HEADERS = {"X-Auth-Token": "admin:nets", "X-OpenStack-Manila-API-Version": "2.65"}


def post(dep: Deployment, path: str, body: Any) -> int:
    return requests.post(f"{dep.endpoint}/v2/{path}", json=body, headers=HEADERS,
                         timeout=60).status_code


def concurrently(n: int, fn: Callable[[int], int]) -> list[int]:
    with ThreadPoolExecutor(n) as pool:
        return sorted(pool.map(fn, range(n)))


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_concurrent_changes_and_filters(deploy: Callable[..., Deployment]) -> None:
    dep = deploy({"backend1": dummy_backend("pool0:1000",
                                            backend_availability_zone="zone-a")},
                 groups={"quota": {"share_networks": 4}})
    mc = manila(dep.endpoint, "2.65", token="admin:nets")

    codes = concurrently(10, lambda i: post(dep, "share-networks",
                                            {"share_network": {"name": f"net-{i}"}}))
    assert codes == [200] * 4 + [413] * 6, codes
    nets = mc.share_networks.list()
    assert len(nets) == 4
    net = nets[0]

    codes = concurrently(8, lambda i: post(dep, f"share-networks/{net.id}/subnets",
                                           {"share-network-subnet": {
                                               "availability_zone": "zone-a"}}))
    assert codes == [200] + [409] * 7, codes
    assert len(mc.share_networks.get(net.id).share_network_subnets) == 2

    ss = mc.security_services.create("ldap", server="ldap.example.com", name="Dir")
    codes = concurrently(8, lambda i: post(dep, f"share-networks/{net.id}/action",
                                           {"add_security_service": {
                                               "security_service_id": ss.id}}))
    assert codes == [200] + [400] * 7, codes
    assert [s.id for s in mc.security_services.list(
        search_opts={"share_network_id": net.id})] == [ss.id]

    mc.share_networks.update(net, name="Special_%net")
    assert [n.id for n in mc.share_networks.list(search_opts={"name~": "_%"})] == [net.id]
    assert [n.id for n in mc.share_networks.list(
        search_opts={"security_service_id": ss.id})] == [net.id]
    assert len(mc.share_networks.list(search_opts={"created_since": "2000-01-01"})) == 4
    assert mc.share_networks.list(search_opts={"created_before": "2000-01-01"}) == []
    assert [s.name for s in mc.security_services.list(search_opts={"type": "ldap"})] == [
        "Dir"]

    # new shares on one network (a shared lock on it), then its delete is refused
    mc.share_types.create("dhss", True)
    other = nets[1]
    codes = concurrently(4, lambda i: post(dep, "shares", {"share": {
        "share_proto": "NFS", "size": 1, "share_type": "dhss",
        "share_network_id": other.id}}))
    assert codes == [200] * 4, codes
    assert len(mc.shares.list(search_opts={"share_network_id": other.id})) == 4
    assert requests.delete(f"{dep.endpoint}/v2/share-networks/{other.id}", headers=HEADERS,
                           timeout=60).status_code == 409

    codes = concurrently(2, lambda i: requests.delete(
        f"{dep.endpoint}/v2/share-networks/{net.id}", headers=HEADERS,
        timeout=60).status_code)
    assert codes == [202, 404], codes
    detail = requests.get(f"{dep.endpoint}/v2/quota-sets/nets/detail", headers=HEADERS,
                          timeout=30).json()["quota_set"]
    assert detail["share_networks"] == {"in_use": 3, "reserved": 0, "limit": 4}
