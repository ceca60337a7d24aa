"""Share servers (admin API) and what servers in use forbid on networks and security
services, through python-manilaclient and HTTP against an all-in-one.

The dummy backend has no share servers of its own, so servers come from
``POST /share-servers/manage`` or are written into the database (a server in use by a
share), as the share service would have recorded them.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers

BACKENDS = {"alpha": servers.dummy_backend("p1:100")}
HOST = "testhost@alpha"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp: Path = tmp_path_factory.mktemp("servers")
    with servers.all_in_one(tmp, BACKENDS) as (url, _):
        servers.wait_for_pools(url, 1)
        yield url, tmp / "state" / "abaca.sqlite"


@pytest.fixture
def endpoint(state: tuple[str, Path]) -> str:
    return state[0]


def call(endpoint: str, method: str, path: str, version: str = "2.65", body: Any = None,
         project: str = "servers") -> requests.Response:
    return requests.request(method, f"{endpoint}/v2/{path}", json=body, timeout=10,
                            headers={"X-Auth-Token": f"admin:{project}",
                                     "X-OpenStack-Manila-API-Version": version})


def server_ids(endpoint: str) -> set[str]:
    return {s["id"] for s in call(endpoint, "GET", "share-servers").json()["share_servers"]}


def status_of(endpoint: str, server_id: str) -> str | None:
    resp = call(endpoint, "GET", f"share-servers/{server_id}")
    return resp.json()["share_server"]["status"] if resp.status_code == 200 else None


def reset(endpoint: str, server_id: str, status: str) -> None:
    resp = call(endpoint, "POST", f"share-servers/{server_id}/action",
                body={"reset_status": {"status": status}})
    assert resp.status_code == 202, resp.text


def manage(endpoint: str, version: str = "2.65", **fields: Any) -> requests.Response:
    return call(endpoint, "POST", "share-servers/manage", version=version,
                body={"share_server": fields})


def test_manage_show_list_and_reset(endpoint: str) -> None:
    mc = servers.manila(endpoint, "2.65", token="admin:servers")
    sn = mc.share_networks.create(name="managed-net")
    resp = manage(endpoint, host=HOST, share_network_id=sn.id, identifier="srv-1",
                  driver_options={"vserver": "srv-1"})
    assert resp.status_code == 202, resp.text
    server = resp.json()["share_server"]
    (subnet,) = mc.share_networks.get(sn.id).share_network_subnets
    assert (server["status"], server["host"], server["identifier"],
            server["is_auto_deletable"], server["share_network_id"],
            server["share_network_name"], server["share_network_subnet_id"],
            server["project_id"]) == ("manage_starting", HOST, "srv-1", False, sn.id,
                                      "managed-net", subnet["id"], "servers")
    assert server["security_service_update_support"] is False
    # the dummy backend cannot serve from share servers: the share service says so
    servers.wait_until(lambda: status_of(endpoint, server["id"]) != "manage_starting",
                       what="the manage request to be handled")
    assert status_of(endpoint, server["id"]) in ("manage_error", "active")

    reset(endpoint, server["id"], "active")
    shown = mc.share_servers.get(server["id"])
    assert shown.status == "active" and isinstance(shown.backend_details, dict)
    details = call(endpoint, "GET", f"share-servers/{server['id']}/details").json()
    assert details == {"details": shown.backend_details}
    for opts in ({"host": HOST}, {"status": "active"}, {"share_network": "managed-net"},
                 {"share_network": sn.id}, {"project_id": "servers"},
                 {"identifier": "srv-1"}):
        assert server["id"] in {s.id for s in mc.share_servers.list(search_opts=opts)}, opts
    for opts in ({"host": "otherhost@alpha"}, {"status": "error"},
                 {"share_network": "other"}):
        assert server["id"] not in {s.id for s in mc.share_servers.list(search_opts=opts)}
    old = call(endpoint, "GET", f"share-servers/{server['id']}", version="2.48").json()
    assert "identifier" not in old["share_server"]
    assert "share_network_subnet_id" not in call(
        endpoint, "GET", f"share-servers/{server['id']}", version="2.50").json()["share_server"]

    resp = call(endpoint, "POST", f"share-servers/{server['id']}/action",
                body={"reset_status": {"status": "melted"}})
    assert resp.status_code == 400 and status_of(endpoint, server["id"]) == "active"
    resp = call(endpoint, "POST", f"share-servers/{server['id']}/action", version="2.48",
                body={"reset_status": {"status": "error"}})
    assert resp.status_code == 400 and status_of(endpoint, server["id"]) == "active"

    reset(endpoint, server["id"], "creating")
    assert call(endpoint, "DELETE", f"share-servers/{server['id']}").status_code == 403
    reset(endpoint, server["id"], "error")
    resp = call(endpoint, "POST", f"share-servers/{server['id']}/action",
                body={"unmanage": {"force": False}})
    assert resp.status_code == 202, resp.text
    servers.wait_until(lambda: server["id"] not in server_ids(endpoint),
                       what="the server to be unmanaged")


def test_bad_manage_requests_write_nothing(endpoint: str) -> None:
    mc = servers.manila(endpoint, "2.65", token="admin:servers")
    sn = mc.share_networks.create(name="bad-manage")
    other = mc.share_networks.create(name="other-net")
    (other_subnet,) = mc.share_networks.get(other.id).share_network_subnets
    assert manage(endpoint, host=HOST, share_network_id=sn.id,
                  identifier="dup").status_code == 202
    before = server_ids(endpoint)
    cases = [
        ({"host": "nohost@none", "share_network_id": sn.id, "identifier": "a"}, 400),
        ({"host": "no-backend", "share_network_id": sn.id, "identifier": "a"}, 400),
        ({"host": HOST, "share_network_id": sn.id}, 400),
        ({"host": HOST, "share_network_id": sn.id, "identifier": ""}, 400),
        ({"host": HOST, "share_network_id": sn.id, "identifier": "dup"}, 400),
        ({"host": HOST, "share_network_id": str(uuid.uuid4()), "identifier": "a"}, 404),
        ({"host": HOST, "share_network_id": sn.id, "identifier": "a",
          "share_network_subnet_id": other_subnet["id"]}, 400),
        ({"host": HOST, "share_network_id": sn.id, "identifier": "a",
          "driver_options": {"k": "v\n"}}, 400),
        ({"host": HOST, "share_network_id": sn.id, "identifier": "a", "extra": 1}, 400),
    ]
    for body, code in cases:
        resp = manage(endpoint, **body)
        assert resp.status_code == code, (body, resp.text)
    assert manage(endpoint, version="2.48", host=HOST, share_network_id=sn.id,
                  identifier="old").status_code == 404
    # the subnet id is only understood from 2.51
    assert manage(endpoint, version="2.50", host=HOST, share_network_id=sn.id,
                  identifier="b", share_network_subnet_id=other_subnet["id"]
                  ).status_code == 400
    assert server_ids(endpoint) == before


def _seed_server(db_path: Path, subnet_id: str) -> str:
    server_id = str(uuid.uuid4())
    with sqlite3.connect(db_path) as db:
        db.execute("INSERT INTO share_servers (id, share_network_subnet_id, host, status, "
                   "identifier, is_auto_deletable, security_service_update_support, "
                   "created_at, deleted) VALUES (?, ?, ?, 'active', ?, 1, 0, "
                   "'2026-11-21 19:00:00.000000', '')",
                   (server_id, subnet_id, HOST, server_id))
        db.execute("INSERT INTO share_server_backend_details (share_server_id, key, value, "
                   "created_at, deleted) VALUES (?, 'namespace', 'abaca-x', "
                   "'2026-11-21 19:00:00.000000', '')", (server_id,))
    return server_id


def _attach(db_path: Path, share_id: str, server_id: str | None) -> None:
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE share_instances SET share_server_id = ? WHERE share_id = ?",
                   (server_id, share_id))


def test_servers_in_use_protect_networks_and_services(state: tuple[str, Path]) -> None:
    endpoint, db_path = state
    mc = servers.manila(endpoint, "2.65", token="admin:inuse")

    def act(network_id: str, action: str, body: Any, version: str = "2.65") -> Any:
        return call(endpoint, "POST", f"share-networks/{network_id}/action",
                    version=version, body={action: body}, project="inuse")

    sn = mc.share_networks.create(name="busy-net", neutron_net_id="n1",
                                  neutron_subnet_id="s1")
    (subnet,) = mc.share_networks.get(sn.id).share_network_subnets
    ldap = mc.security_services.create("ldap", server="ldap.example.com", name="l")
    krb = mc.security_services.create("kerberos", server="kdc.example.com", name="k")
    mc.share_networks.add_security_service(sn, ldap)
    server_id = _seed_server(db_path, subnet["id"])
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1).id)
    _attach(db_path, share.id, server_id)

    assert mc.share_servers.get(server_id).backend_details == {"namespace": "abaca-x"}
    assert mc.share_networks.get(sn.id).security_service_update_support is False
    assert call(endpoint, "DELETE", f"share-servers/{server_id}").status_code == 409
    resp = call(endpoint, "POST", f"share-servers/{server_id}/action",
                body={"unmanage": {}})
    assert resp.status_code == 400
    resp = call(endpoint, "DELETE", f"share-networks/{sn.id}/subnets/{subnet['id']}",
                project="inuse")
    assert resp.status_code == 409
    assert act(sn.id, "add_security_service", {"security_service_id": krb.id},
               version="2.62").status_code == 403
    assert act(sn.id, "add_security_service",
               {"security_service_id": krb.id}).status_code == 403
    assert act(sn.id, "remove_security_service",
               {"security_service_id": ldap.id}).status_code == 403
    check = act(sn.id, "add_security_service_check", {"security_service_id": krb.id})
    assert check.status_code == 200
    assert check.json()["compatible"] is False
    assert check.json()["hosts_check_result"] == {HOST: False}
    resp = call(endpoint, "PUT", f"security-services/{ldap.id}", project="inuse",
                body={"security_service": {"server": "ldap2.example.com"}})
    assert resp.status_code == 403
    assert call(endpoint, "DELETE", f"security-services/{ldap.id}",
                project="inuse").status_code == 403
    mc.security_services.update(ldap, name="renamed")
    resp = call(endpoint, "PUT", f"share-networks/{sn.id}", project="inuse",
                body={"share_network": {"neutron_net_id": "n2"}})
    assert resp.status_code == 403
    mc.share_networks.update(sn, name="still-busy")
    shown = mc.share_networks.get(sn.id)
    assert shown.name == "still-busy"
    assert shown.share_network_subnets[0]["neutron_net_id"] == "n1"
    assert [s.name for s in mc.security_services.list(
        search_opts={"share_network_id": sn.id})] == ["renamed"]

    # once the share has left the server, deleting the network retires its server
    _attach(db_path, share.id, None)
    mc.shares.delete(share)
    servers.wait_until(lambda: not mc.shares.list(), what="the share to go")
    mc.share_networks.delete(sn)
    with pytest.raises(api_exc.NotFound):
        mc.share_networks.get(sn.id)
    assert status_of(endpoint, server_id) in (None, "deleting", "error")
    servers.wait_until(lambda: status_of(endpoint, server_id) != "deleting",
                       what="the share service to handle the delete")
