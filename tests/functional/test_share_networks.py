"""Share networks, subnets and security services through python-manilaclient and HTTP.

One all-in-one with two DHSS=False dummy backends in zones zone-a and zone-b; each test
works in a project of its own (noauth token ``user:project``; noauth callers are
admins, so project scoping is what a list without ``all_tenants`` shows).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers

BACKENDS = {
    "alpha": servers.dummy_backend("p1:100", backend_availability_zone="zone-a"),
    "beta": servers.dummy_backend("p2:100", backend_availability_zone="zone-b"),
}
NETWORK_QUOTA = 4


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("networks")
    quota = {"quota": {"share_networks": NETWORK_QUOTA}}
    with servers.all_in_one(tmp, BACKENDS, groups=quota) as (url, _):
        servers.wait_for_pools(url, 2)
        yield url


def client(endpoint: str, version: str, project: str) -> Any:
    return servers.manila(endpoint, version, token=f"user-{project}:{project}")


def call(endpoint: str, method: str, path: str, project: str, version: str = "2.65",
         body: Any = None) -> requests.Response:
    return requests.request(method, f"{endpoint}/v2/{path}", json=body, timeout=10,
                            headers={"X-Auth-Token": f"user-{project}:{project}",
                                     "X-OpenStack-Manila-API-Version": version})


def names(items: list[Any]) -> set[str]:
    return {i.name for i in items}


# security services --------------------------------------------------------------------


def test_security_service_crud_and_filters(endpoint: str) -> None:
    mc = client(endpoint, "2.65", "ss-crud")
    ad = mc.security_services.create(
        "active_directory", dns_ip="198.18.0.53", ou="OU=Shares,DC=example,DC=com",
        server="dc1.example.com", domain="example.com", user="EXAMPLE\\admin",
        password="s3cret pass", name="ad", description="the AD")
    assert (ad.type, ad.dns_ip, ad.ou, ad.server, ad.domain, ad.user, ad.password,
            ad.status) == ("active_directory", "198.18.0.53", "OU=Shares,DC=example,DC=com",
                           "dc1.example.com", "example.com", "EXAMPLE\\admin", "s3cret pass",
                           "new")
    ldap = mc.security_services.create("ldap", server="198.18.0.10", name="ldap")
    assert names(mc.security_services.list()) == {"ad", "ldap"}
    assert names(mc.security_services.list(search_opts={"type": "ldap"})) == {"ldap"}
    assert names(mc.security_services.list(search_opts={"domain": "example.com"})) == {"ad"}
    summary = mc.security_services.list(detailed=False)[0]
    assert not hasattr(summary, "password")
    mc.security_services.update(ldap, name="ldap2", domain="corp.example")
    shown = mc.security_services.get(ldap.id)
    assert (shown.name, shown.domain) == ("ldap2", "corp.example")
    # "ou" appears with 2.44
    assert not hasattr(client(endpoint, "2.43", "ss-crud").security_services.get(ad.id), "ou")
    mc.security_services.delete(ldap)
    with pytest.raises(api_exc.NotFound):
        mc.security_services.get(ldap.id)
    assert names(mc.security_services.list()) == {"ad"}


@pytest.mark.parametrize("fields", [
    {"type": "nis"},
    {"type": "ldap", "dns_ip": "198.18.0.1; reboot"},
    {"type": "ldap", "server": "bad host"},
    {"type": "ldap", "domain": "exa mple.com"},
    {"type": "ldap", "user": "a b"},
    {"type": "ldap", "user": "x\"y"},
    {"type": "ldap", "ou": "OU=a;DC=b"},
    {"type": "ldap", "password": "line\nbreak"},
    {"type": "ldap", "name": "n" * 256},
    {"type": "ldap", "dns_ip": 5},
    {"type": "ldap", "colour": "blue"},
])
def test_bad_security_service_is_refused(endpoint: str, fields: dict[str, Any]) -> None:
    resp = call(endpoint, "POST", "security-services", "ss-bad",
                body={"security_service": fields})
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["code"] == 400
    assert call(endpoint, "GET", "security-services", "ss-bad").json() == {
        "security_services": []}


def test_bad_security_service_update_changes_nothing(endpoint: str) -> None:
    mc = client(endpoint, "2.65", "ss-upd")
    ss = mc.security_services.create("kerberos", server="kdc.example.com", name="krb")
    resp = call(endpoint, "PUT", f"security-services/{ss.id}", "ss-upd",
                body={"security_service": {"name": "new", "server": "kdc;rm -rf"}})
    assert resp.status_code == 400
    assert mc.security_services.get(ss.id).name == "krb"


# share networks -----------------------------------------------------------------------


def test_share_network_crud_at_2_0(endpoint: str) -> None:
    mc = client(endpoint, "2.0", "sn-old")
    sn = mc.share_networks.create(neutron_net_id="net-1", neutron_subnet_id="sub-1",
                                  name="old", description="before subnets")
    assert (sn.neutron_net_id, sn.neutron_subnet_id, sn.nova_net_id) == ("net-1", "sub-1",
                                                                          None)
    assert not hasattr(sn, "gateway") and not hasattr(sn, "share_network_subnets")
    mc.share_networks.update(sn, name="renamed", neutron_net_id="net-2")
    shown = mc.share_networks.get(sn.id)
    assert (shown.name, shown.neutron_net_id, shown.description) == (
        "renamed", "net-2", "before subnets")
    assert [n.id for n in mc.share_networks.list(detailed=False)] == [sn.id]
    new = client(endpoint, "2.26", "sn-old").share_networks.get(sn.id)
    assert not hasattr(new, "nova_net_id") and new.mtu is None and new.gateway is None
    mc.share_networks.delete(sn)
    with pytest.raises(api_exc.NotFound):
        mc.share_networks.get(sn.id)


def test_share_network_list_filters(endpoint: str) -> None:
    mc = client(endpoint, "2.65", "sn-filter")
    one = mc.share_networks.create(name="alpha-net", neutron_net_id="n1",
                                   neutron_subnet_id="s1")
    mc.share_networks.create(name="beta-net", description="second")
    ss = mc.security_services.create("ldap", name="dir")
    mc.share_networks.add_security_service(one, ss)
    assert names(mc.share_networks.list(search_opts={"name": "alpha-net"})) == {"alpha-net"}
    assert names(mc.share_networks.list(search_opts={"name~": "-net"})) == {
        "alpha-net", "beta-net"}
    assert names(mc.share_networks.list(search_opts={"description~": "sec"})) == {
        "beta-net"}
    assert names(mc.share_networks.list(search_opts={"security_service_id": ss.id})) == {
        "alpha-net"}
    assert names(mc.share_networks.list(search_opts={"neutron_net_id": "n1"})) == {
        "alpha-net"}
    assert names(mc.share_networks.list(search_opts={"created_since": "2000-01-01"})) == {
        "alpha-net", "beta-net"}
    assert names(mc.share_networks.list(search_opts={"created_before": "2000-01-01"})) == set()
    assert len(mc.share_networks.list(search_opts={"limit": 1})) == 1
    resp = call(endpoint, "GET", "share-networks?created_since=yesterday", "sn-filter")
    assert resp.status_code == 400
    # name~ is not a filter before 2.36: it is ignored
    old = client(endpoint, "2.35", "sn-filter")
    assert len(old.share_networks.list(search_opts={"name~": "zzz"})) == 2


def test_project_scoping(endpoint: str) -> None:
    a = client(endpoint, "2.65", "scope-a")
    b = client(endpoint, "2.65", "scope-b")
    mine = a.share_networks.create(name="a-net")
    theirs = b.share_networks.create(name="b-net")
    a.security_services.create("ldap", name="a-ss")
    assert names(a.share_networks.list()) == {"a-net"}
    assert names(b.share_networks.list()) == {"b-net"}
    assert {"a-net", "b-net"} <= names(a.share_networks.list(
        search_opts={"all_tenants": 1}))
    assert names(a.share_networks.list(search_opts={"project_id": "scope-b"})) == {"b-net"}
    assert names(b.security_services.list()) == set()
    assert a.share_networks.get(mine.id).project_id == "scope-a"
    assert b.share_networks.get(theirs.id).project_id == "scope-b"


@pytest.mark.parametrize("body", [
    {"share_network": {"name": "x" * 256}},
    {"share_network": {"neutron_net_id": "a b"}},
    {"share_network": {"neutron_net_id": "n" * 37}},
    {"share_network": {"nova_net_id": "nova"}},
    {"share_network": {"availability_zone": "nowhere"}},
    {"share_network": {"mtu": 9000}},
    {"share_network": "net"},
    {"network": {}},
])
def test_bad_share_network_is_refused(endpoint: str, body: Any) -> None:
    resp = call(endpoint, "POST", "share-networks", "sn-bad", body=body)
    assert resp.status_code == 400, resp.text
    assert "badRequest" in resp.json()
    assert call(endpoint, "GET", "share-networks", "sn-bad").json() == {"share_networks": []}


def test_share_network_quota(endpoint: str) -> None:
    mc = client(endpoint, "2.65", "sn-quota")
    made = [mc.share_networks.create(name=f"q{i}") for i in range(NETWORK_QUOTA)]
    resp = call(endpoint, "POST", "share-networks", "sn-quota",
                body={"share_network": {"name": "one too many"}})
    assert resp.status_code == 413, resp.text
    assert len(mc.share_networks.list()) == NETWORK_QUOTA

    def in_use() -> int:
        resp = call(endpoint, "GET", "quota-sets/sn-quota/detail", "sn-quota")
        assert resp.status_code == 200, resp.text
        return int(resp.json()["quota_set"]["share_networks"]["in_use"])

    assert in_use() == NETWORK_QUOTA
    mc.share_networks.delete(made[0])
    assert in_use() == NETWORK_QUOTA - 1
    mc.share_networks.create(name="fits again")
    assert in_use() == NETWORK_QUOTA


# subnets ------------------------------------------------------------------------------


def test_subnets_per_availability_zone(endpoint: str) -> None:
    mc = client(endpoint, "2.51", "subnets")
    sn = mc.share_networks.create(name="zoned", availability_zone="zone-a",
                                  neutron_net_id="na", neutron_subnet_id="sa")
    (first,) = sn.share_network_subnets
    assert (first["availability_zone"], first["neutron_net_id"]) == ("zone-a", "na")
    default = mc.share_network_subnets.create(share_network_id=sn.id,
                                              neutron_net_id="nd", neutron_subnet_id="sd")
    assert default.availability_zone is None
    assert default.share_network_name == "zoned"
    with pytest.raises(api_exc.Conflict):
        mc.share_network_subnets.create(share_network_id=sn.id, availability_zone="zone-a")
    with pytest.raises(api_exc.Conflict):
        mc.share_network_subnets.create(share_network_id=sn.id)
    with pytest.raises(api_exc.BadRequest):
        mc.share_network_subnets.create(share_network_id=sn.id, availability_zone="zone-x")
    zb = mc.share_network_subnets.create(share_network_id=sn.id, availability_zone="zone-b")
    listed = call(endpoint, "GET", f"share-networks/{sn.id}/subnets", "subnets").json()
    assert {s["availability_zone"] for s in listed["share_network_subnets"]} == {
        "zone-a", "zone-b", None}
    assert mc.share_network_subnets.get(sn.id, zb.id).availability_zone == "zone-b"
    mc.share_network_subnets.delete(sn.id, zb.id)
    with pytest.raises(api_exc.NotFound):
        mc.share_network_subnets.get(sn.id, zb.id)
    # before 2.51 the network shows its default subnet's fields, and no subnet routes
    old = client(endpoint, "2.50", "subnets").share_networks.get(sn.id)
    assert (old.neutron_net_id, old.neutron_subnet_id) == ("nd", "sd")
    assert call(endpoint, "GET", f"share-networks/{sn.id}/subnets", "subnets",
                version="2.50").status_code == 404
    resp = call(endpoint, "POST", f"share-networks/{sn.id}/subnets", "subnets",
                body={"share-network-subnet": {"neutron_port_id": "p1"}})
    assert resp.status_code == 400  # a field subnets do not have (cidr is an admin's:
    # tests/functional/test_share_network_own_cidr.py)
    assert len(mc.share_networks.get(sn.id).share_network_subnets) == 2


# security services on networks --------------------------------------------------------


def test_security_services_of_a_network(endpoint: str) -> None:
    mc = client(endpoint, "2.65", "assoc")
    sn = mc.share_networks.create(name="with-ss")
    ldap = mc.security_services.create("ldap", server="ldap.example.com", name="l1")
    ldap2 = mc.security_services.create("ldap", server="ldap2.example.com", name="l2")
    krb = mc.security_services.create("kerberos", server="kdc.example.com", name="k")
    mc.share_networks.add_security_service(sn, ldap)
    mc.share_networks.add_security_service(sn, krb)
    listed = mc.security_services.list(search_opts={"share_network_id": sn.id})
    assert names(listed) == {"l1", "k"}
    with pytest.raises(api_exc.BadRequest):  # one service of each type
        mc.share_networks.add_security_service(sn, ldap2)
    with pytest.raises(api_exc.BadRequest):  # already there
        mc.share_networks.add_security_service(sn, ldap)
    resp = call(endpoint, "POST", f"share-networks/{sn.id}/action", "assoc",
                body={"add_security_service": {"security_service_id": "missing"}})
    assert resp.status_code == 404
    check = call(endpoint, "POST", f"share-networks/{sn.id}/action", "assoc",
                 body={"update_security_service_check": {
                     "current_service_id": ldap.id, "new_service_id": ldap2.id}})
    assert check.status_code == 200 and check.json()["compatible"] is True
    mc.share_networks.update_share_network_security_service(sn, ldap, ldap2)
    listed = mc.security_services.list(search_opts={"share_network_id": sn.id})
    assert names(listed) == {"l2", "k"}
    with pytest.raises(api_exc.BadRequest):  # a kerberos for an ldap: types differ
        mc.share_networks.update_share_network_security_service(sn, krb, ldap)
    mc.share_networks.remove_security_service(sn, krb)
    with pytest.raises(api_exc.BadRequest):
        mc.share_networks.remove_security_service(sn, krb)
    mc.security_services.delete(ldap2)  # unused by share servers: detached too
    assert mc.security_services.list(search_opts={"share_network_id": sn.id}) == []
    # the 2.63 actions do not exist before 2.63
    resp = call(endpoint, "POST", f"share-networks/{sn.id}/action", "assoc",
                version="2.62", body={"reset_status": {"status": "error"}})
    assert resp.status_code == 400


def test_share_network_status(endpoint: str) -> None:
    mc = client(endpoint, "2.63", "status")
    sn = mc.share_networks.create(name="st")
    assert (sn.status, sn.security_service_update_support) == ("active", True)
    mc.share_networks.reset_state(sn, "network_change")
    assert mc.share_networks.get(sn.id).status == "network_change"
    ss = mc.security_services.create("ldap", name="s")
    with pytest.raises(api_exc.BadRequest):  # not while its networking changes
        mc.share_networks.add_security_service(sn, ss)
    with pytest.raises(api_exc.BadRequest):
        mc.share_networks.reset_state(sn, "melting")
    mc.share_networks.reset_state(sn, "active")
    mc.share_networks.add_security_service(sn, ss)
    assert not hasattr(client(endpoint, "2.62", "status").share_networks.get(sn.id),
                       "status")


# shares on share networks -------------------------------------------------------------


def test_share_network_rules_on_share_create(endpoint: str) -> None:
    admin = client(endpoint, "2.65", "shares-on-sn")
    dhss = admin.share_types.create("dhss-true", spec_driver_handles_share_servers=True)
    sn = admin.share_networks.create(name="for-shares", availability_zone="zone-a")
    base = {"share_proto": "NFS", "size": 1}

    def create(**extra: Any) -> requests.Response:
        return call(endpoint, "POST", "shares", "shares-on-sn",
                    body={"share": {**base, **extra}})

    resp = create(share_type="dhss-true")
    assert resp.status_code == 400
    assert resp.json()["badRequest"]["message"] == (
        "Share network must be set when the driver_handles_share_servers is true.")
    assert create(share_network_id=sn.id).status_code == 400  # default type: DHSS=False
    assert create(share_type="dhss-true", share_network_id="nope").status_code == 404
    resp = create(share_type="dhss-true", share_network_id=sn.id, availability_zone="zone-b")
    assert resp.status_code == 400
    assert "subnet was not found" in resp.json()["badRequest"]["message"]
    assert admin.shares.list() == []
    two_zones = admin.share_networks.create(name="two-zones", availability_zone="zone-a")
    admin.share_network_subnets.create(share_network_id=two_zones.id,
                                       availability_zone="zone-b")
    resp = create(share_type="dhss-true", share_network_id=two_zones.id,
                  availability_zone="nova")  # a zone the network does not reach
    assert resp.status_code == 400
    assert create(share_type="dhss-true", share_network_id=two_zones.id,
                  availability_zone="zone-x").status_code == 404  # no such zone
    admin.share_networks.reset_state(sn, "error")
    resp = create(share_type="dhss-true", share_network_id=sn.id, availability_zone="zone-a")
    assert resp.status_code == 400  # the network is not active
    admin.share_networks.reset_state(sn, "active")
    assert admin.shares.list() == []
    resp = create(share_type="dhss-true", share_network_id=sn.id, availability_zone="zone-a")
    assert resp.status_code == 200, resp.text
    share = resp.json()["share"]
    assert share["share_network_id"] == sn.id
    # no zone asked for: the scheduler keeps to the zones of the network's subnets
    # (here no DHSS=True backend takes it: the share ends in error)
    resp = create(share_type="dhss-true", share_network_id=two_zones.id)
    assert resp.status_code == 200, resp.text
    ids = {share["id"], resp.json()["share"]["id"]}
    with pytest.raises(api_exc.Conflict):
        admin.share_networks.delete(two_zones)
    assert {s.id for s in admin.shares.list(search_opts={"share_network_id": sn.id})} == {
        share["id"]}
    with pytest.raises(api_exc.Conflict):
        admin.share_networks.delete(sn)
    for share_id in ids:
        servers.wait_for_status(admin, share_id, ("error", "available"))
        admin.shares.delete(share_id)
    servers.wait_until(lambda: not admin.shares.list(), what="the shares to go")
    admin.share_networks.delete(sn)
    admin.share_networks.delete(two_zones)
    admin.share_types.delete(dhss)
