"""Share network subnets with a network of their own (cidr, gateway, MTU, VLAN), through
HTTP with ``requests`` (python-manilaclient cannot send these fields) under a real
Keystone: the dummy driver with DHSS=True, the fake compute helper and the standalone
network helper. An admin's subnet cidr is where its share servers' addresses come from;
a member may not set one (403); every contradiction is a 400 that writes nothing; a
subnet whose range is used up gives the share ``error`` and a message saying why."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fixtures import servers
from tests.fixtures.keystone import Keystone

POOL = {"standalone_network_plugin_gateway": "198.18.3.1",
        "standalone_network_plugin_mask": "24",
        "standalone_network_plugin_allowed_ip_ranges": "198.18.3.10-198.18.3.11"}
BACKEND = {"share_driver": "dummy", "driver_handles_share_servers": True,
           "compute_helper": "fake", "network_helper": "standalone",
           "automatic_share_server_cleanup": False, **POOL}



class Api:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def __call__(self, method: str, path: str, body: Any = None,
                 version: str = "2.65") -> requests.Response:
        return requests.request(method, f"{self.url}/v2{path}", json=body, timeout=30,
                                headers={"X-Auth-Token": self.token,
                                         "X-OpenStack-Manila-API-Version": version})

    def ok(self, method: str, path: str, body: Any = None, version: str = "2.65") -> Any:
        resp = self(method, path, body, version)
        assert resp.status_code in (200, 202), (resp.status_code, resp.text)
        return resp.json() if resp.content else None


@pytest.fixture(scope="module")
def apis(keystone: Keystone,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Api]]:
    tmp = tmp_path_factory.mktemp("aio-own-cidr")
    groups = {"keystone_authtoken": keystone.authtoken_options()}
    with servers.all_in_one(tmp, {"b1": BACKEND}, groups,
                            auth_strategy="keystone") as (url, proc):
        servers.wait_for_pools(url, 1, token=keystone.token("a-admin"))
        apis = {user: Api(url, keystone.token(user)) for user in ("a-admin", "a-member")}
        apis["a-admin"].ok("POST", "/types", {"share_type": {
            "name": "dhss", "extra_specs": {"driver_handles_share_servers": True}}})
        yield apis
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def _network(api: Api, version: str = "2.65", **fields: Any) -> dict[str, Any]:
    network: dict[str, Any] = api.ok("POST", "/share-networks", {"share_network": fields},
                                     version)["share_network"]
    return network


def _share(api: Api, network_id: str, status: str = "available") -> dict[str, Any]:
    share_id = api.ok("POST", "/shares", {"share": {
        "share_proto": "NFS", "size": 1, "share_network_id": network_id,
        "share_type": "dhss"}})["share"]["id"]

    def settled() -> dict[str, Any] | None:
        share: dict[str, Any] = api.ok("GET", f"/shares/{share_id}")["share"]
        return share if share["status"] in ("available", "error") else None

    share = servers.wait_until(settled, timeout=30, what=f"share {share_id} settled")
    assert share["status"] == status, share
    return share


def _address(api: Api, share: dict[str, Any]) -> str:
    (location,) = api.ok("GET", f"/shares/{share['id']}/export_locations")[
        "export_locations"]
    return str(location["path"]).split(":", 1)[0]


def _server_details(api: Api, share: dict[str, Any]) -> dict[str, str]:
    server = api.ok("GET", f"/share-servers/{share['share_server_id']}")["share_server"]
    details: dict[str, str] = server["backend_details"]
    return details


def _names(api: Api) -> set[str]:
    return {n["name"] for n in api.ok("GET", "/share-networks?all_tenants=1")[
        "share_networks"]}


def test_an_admins_29_gives_its_servers_addresses_from_it(apis: dict[str, Api]) -> None:
    admin = apis["a-admin"]
    network = _network(admin, name="own-29", cidr="198.18.40.0/29", gateway="198.18.40.1",
                       mtu=9000, network_type="vlan", segmentation_id=40)
    (subnet,) = network["share_network_subnets"]
    assert {k: subnet[k] for k in ("cidr", "gateway", "mtu", "network_type",
                                   "segmentation_id", "ip_version")} == {
        "cidr": "198.18.40.0/29", "gateway": "198.18.40.1", "mtu": 9000,
        "network_type": "vlan", "segmentation_id": 40, "ip_version": 4}
    share = _share(admin, network["id"])
    # the first address of the /29 after the network address and the gateway
    assert _address(admin, share) == "198.18.40.2"
    details = _server_details(admin, share)
    assert (details["fake_network"], details["fake_gateway"], details["fake_mtu"],
            details["fake_network_type"], details["fake_segmentation_id"]) == \
        ("198.18.40.0/29", "198.18.40.1", "9000", "vlan", "40")
    # a second share on the network uses the same server and address
    again = _share(admin, network["id"])
    assert again["share_server_id"] == share["share_server_id"]

    # before 2.51 the default subnet's fields are the network's
    old = _network(admin, "2.50", name="own-old", cidr="198.18.41.0/29")
    assert (old["cidr"], old["gateway"], old["network_type"], old["ip_version"]) == \
        ("198.18.41.0/29", None, "flat", 4)
    # without a gateway only the network and broadcast addresses are kept back
    assert _address(admin, _share(admin, old["id"])) == "198.18.41.1"

    # a subnet created on its own (2.51) carries its network as well
    plain = _network(admin, name="own-subnet")
    admin.ok("DELETE", f"/share-networks/{plain['id']}/subnets/"
                       f"{plain['share_network_subnets'][0]['id']}")
    sub = admin.ok("POST", f"/share-networks/{plain['id']}/subnets", {
        "share-network-subnet": {"cidr": "198.18.42.8/29", "gateway": "198.18.42.14"}}
    )["share_network_subnet"]
    assert (sub["cidr"], sub["gateway"]) == ("198.18.42.8/29", "198.18.42.14")
    assert _address(admin, _share(admin, plain["id"])) == "198.18.42.9"

    # ranges inside the cidr (the config option's grammar) are the pool
    ranged = _network(admin, name="own-ranges", cidr="198.18.44.0/28", gateway="198.18.44.1",
                      allowed_ip_ranges=["198.18.44.9-198.18.44.10", "198.18.44.12"])
    assert ranged["share_network_subnets"][0]["allowed_ip_ranges"] == [
        "198.18.44.9-198.18.44.10", "198.18.44.12"]
    assert _address(admin, _share(admin, ranged["id"])) == "198.18.44.9"

    # PUT does not change a network's addresses (Manila's fields only)
    resp = admin("PUT", f"/share-networks/{ranged['id']}",
                 {"share_network": {"cidr": "198.18.45.0/28"}})
    assert resp.status_code == 400, resp.text
    shown = admin.ok("GET", f"/share-networks/{ranged['id']}")["share_network"]
    assert shown["share_network_subnets"][0]["cidr"] == "198.18.44.0/28"

    # a network without a cidr keeps the configured pool, and Manila's view
    configured = _network(admin, name="configured")
    assert "allowed_ip_ranges" not in configured["share_network_subnets"][0]
    assert _address(admin, _share(admin, configured["id"])) == "198.18.3.10"


def test_a_member_may_not_give_a_subnet_a_network(apis: dict[str, Api]) -> None:
    member = apis["a-member"]
    resp = member("POST", "/share-networks", {"share_network": {
        "name": "member-cidr", "cidr": "198.18.50.0/29"}})
    assert resp.status_code == 403, resp.text
    assert resp.json()["forbidden"]["code"] == 403
    assert "member-cidr" not in _names(apis["a-admin"])
    # Manila's fields alone are fine for a member, as before
    network = _network(member, name="member-plain")
    subnet_id = network["share_network_subnets"][0]["id"]
    member.ok("DELETE", f"/share-networks/{network['id']}/subnets/{subnet_id}")
    for fields in ({"cidr": "198.18.50.0/29", "mtu": 1400}, {"mtu": 1400},
                   {"allowed_ip_ranges": ["198.18.50.2"]}):
        resp = member("POST", f"/share-networks/{network['id']}/subnets",
                      {"share-network-subnet": fields})
        assert resp.status_code == 403, resp.text
    assert member.ok("GET", f"/share-networks/{network['id']}/subnets")[
        "share_network_subnets"] == []


CONTRADICTIONS = [
    ({"cidr": "198.18.60.0/29", "gateway": "198.18.61.1"}, "outside the network"),
    ({"cidr": "198.18.60.0/29", "network_type": "flat", "segmentation_id": 60},
     "flat network has no segmentation id"),
    ({"cidr": "198.18.60.0/29", "network_type": "vlan"}, "needs a segmentation id"),
    ({"cidr": "198.18.60.0/29", "network_type": "vlan", "segmentation_id": 5000},
     "not a VLAN id"),
    ({"cidr": "198.18.60.0/29", "network_type": "gre"}, "network_type must be one of"),
    ({"cidr": "198.18.60.0/29", "ip_version": 6}, "IP version 6 does not match"),
    ({"cidr": "198.18.60.0/29", "ip_version": 5}, "ip_version must be 4 or 6"),
    ({"cidr": "198.18.60.0/29", "mtu": 67}, "mtu must be between 68 and 65535"),
    ({"cidr": "2001:db8::/64", "mtu": 1000}, "MTU 1000 is out of range for IPv6"),
    ({"cidr": "198.18.60.0/29", "mtu": "9000"}, "mtu must be an integer"),
    ({"cidr": "198.18.60.3/29"}, "host bits set"),
    ({"cidr": "198.18.60.0/33"}, "is not a network"),
    ({"cidr": "198.18.60.0/32"}, "no address of 198.18.60.0/32 is left"),
    ({"cidr": ["198.18.60.0/29"]}, "cidr must be a non-empty string"),
    ({"cidr": "198.18.60.0/29", "allowed_ip_ranges": ["198.18.60.6-198.18.60.9"]},
     "outside the network"),
    ({"cidr": "198.18.60.0/29", "allowed_ip_ranges": ["198.18.60.6-198.18.60.2"]},
     "start must not be above its end"),
    ({"cidr": "198.18.60.0/29", "allowed_ip_ranges": ["198.18.60.2,198.18.60.3"]},
     "allowed_ip_ranges must hold"),
    ({"cidr": "198.18.60.0/29", "allowed_ip_ranges": "198.18.60.2"},
     "allowed_ip_ranges must be a list"),
    ({"cidr": "198.18.60.0/29", "allowed_ip_ranges": ["nonsense"]}, "not an IP address"),
    ({"allowed_ip_ranges": ["198.18.60.2"]}, "need the subnet's cidr"),
    ({"gateway": "198.18.60.1"}, "need the subnet's cidr"),
    ({"mtu": 9000}, "need the subnet's cidr"),
]


@pytest.mark.parametrize(("fields", "expected"), CONTRADICTIONS)
def test_a_contradiction_is_a_400_that_writes_nothing(apis: dict[str, Api],
                                                      fields: dict[str, Any],
                                                      expected: str) -> None:
    admin = apis["a-admin"]
    name = f"bad-{time.monotonic_ns()}"
    for version in ("2.65", "2.50"):
        resp = admin("POST", "/share-networks",
                     {"share_network": {"name": name, **fields}}, version)
        assert resp.status_code == 400, resp.text
        body = resp.json()["badRequest"]
        assert body["code"] == 400 and expected in body["message"], body
    assert name not in _names(admin)
    # the same through a subnet of its own: no subnet is written
    network = _network(admin, name=f"{name}-ok")
    subnet_id = network["share_network_subnets"][0]["id"]
    admin.ok("DELETE", f"/share-networks/{network['id']}/subnets/{subnet_id}")
    resp = admin("POST", f"/share-networks/{network['id']}/subnets",
                 {"share-network-subnet": fields})
    assert resp.status_code == 400, resp.text
    assert expected in resp.json()["badRequest"]["message"]
    assert admin.ok("GET", f"/share-networks/{network['id']}/subnets")[
        "share_network_subnets"] == []
    admin.ok("DELETE", f"/share-networks/{network['id']}")


def test_an_exhausted_30_gives_error_and_a_message(apis: dict[str, Api]) -> None:
    admin = apis["a-admin"]
    # a /30 with its gateway has one address to hand out; two share networks on it
    first = _network(admin, name="thirty-1", cidr="198.18.70.0/30", gateway="198.18.70.1")
    second = _network(admin, name="thirty-2", cidr="198.18.70.0/30", gateway="198.18.70.1")
    assert _address(admin, _share(admin, first["id"])) == "198.18.70.2"
    failed = _share(admin, second["id"], status="error")
    messages = [m for m in admin.ok("GET", "/messages")["messages"]
                if m["resource_id"] == failed["id"]]
    assert len(messages) == 1
    assert "no free address left" in messages[0]["user_message"]
    servers_of_second = [s for s in admin.ok("GET", "/share-servers")["share_servers"]
                         if s["share_network_id"] == second["id"]]
    assert servers_of_second == []  # nothing half-made


def test_another_networks_gateway_on_the_same_cidr_is_not_handed_out(
        apis: dict[str, Api]) -> None:
    admin = apis["a-admin"]
    _network(admin, name="gw-owner", cidr="198.18.71.0/29", gateway="198.18.71.1")
    bare = _network(admin, name="gw-less", cidr="198.18.71.0/29")
    assert _address(admin, _share(admin, bare["id"])) == "198.18.71.2"
