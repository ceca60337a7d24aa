"""Share networks, security services and share servers under auth_strategy = keystone,
with a real Keystone: project B cannot see or touch project A's networks and security
services (404), a reader cannot write (403), share servers and other projects' lists
are for admins (403 otherwise)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from manilaclient import client as manila_client
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers
from tests.fixtures.keystone import PASSWORD, Keystone

VERSION = "2.65"


@pytest.fixture(scope="module")
def clients(keystone: Keystone,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Any]]:
    tmp = tmp_path_factory.mktemp("aio-keystone-networks")
    groups = {"keystone_authtoken": keystone.authtoken_options()}
    with servers.all_in_one(tmp, {"alpha": servers.dummy_backend()}, groups,
                            auth_strategy="keystone") as (url, _):
        keystone.set_sharev2_endpoint(url)
        servers.wait_for_pools(url, 1, token=keystone.token("a-admin"))
        cache: dict[str, Any] = {}

        def get(user: str) -> Any:
            if user not in cache:
                cache[user] = manila_client.Client(VERSION, session=keystone.session(user),
                                                   service_type="sharev2")
            return cache[user]

        yield get


def test_other_projects_cannot_see_or_touch(clients: Callable[[str], Any]) -> None:
    a, b = clients("a-member"), clients("b-member")
    sn = a.share_networks.create(name="a-private")
    ss = a.security_services.create("ldap", server="ldap.example.com", name="a-dir")
    a.share_networks.add_security_service(sn, ss)
    assert "a-private" not in {n.name for n in b.share_networks.list()}
    assert "a-dir" not in {s.name for s in b.security_services.list()}
    for attempt in (lambda: b.share_networks.get(sn.id),
                    lambda: b.share_networks.update(sn.id, name="taken"),
                    lambda: b.share_networks.delete(sn.id),
                    lambda: b.security_services.get(ss.id),
                    lambda: b.security_services.update(ss.id, name="taken"),
                    lambda: b.security_services.delete(ss.id),
                    lambda: b.share_network_subnets.create(share_network_id=sn.id)):
        with pytest.raises(api_exc.NotFound):
            attempt()
    b_net = b.share_networks.create(name="b-net")
    with pytest.raises(api_exc.NotFound):  # A's service cannot join B's network
        b.share_networks.add_security_service(b_net, ss)
    with pytest.raises(api_exc.Forbidden):
        b.share_networks.list(search_opts={"all_tenants": 1})
    assert a.share_networks.get(sn.id).name == "a-private"
    assert [s.name for s in a.security_services.list(
        search_opts={"share_network_id": sn.id})] == ["a-dir"]


def test_reader_reads_only(clients: Callable[[str], Any]) -> None:
    member, reader = clients("a-member"), clients("a-reader")
    sn = member.share_networks.create(name="read-me")
    assert reader.share_networks.get(sn.id).name == "read-me"
    for attempt in (lambda: reader.share_networks.create(name="nope"),
                    lambda: reader.share_networks.update(sn.id, name="nope"),
                    lambda: reader.share_networks.delete(sn.id),
                    lambda: reader.security_services.create("ldap", name="nope"),
                    lambda: reader.share_network_subnets.create(share_network_id=sn.id,
                                                                availability_zone="nova")):
        with pytest.raises(api_exc.Forbidden):
            attempt()
    assert {n.name for n in member.share_networks.list()} >= {"read-me"}
    assert "nope" not in {n.name for n in member.share_networks.list()}


def test_share_servers_and_status_are_for_admins(clients: Callable[[str], Any]) -> None:
    member, admin = clients("a-member"), clients("a-admin")
    sn = member.share_networks.create(name="status-net")
    with pytest.raises(api_exc.Forbidden):
        member.share_servers.list()
    with pytest.raises(api_exc.Forbidden):
        member.share_networks.reset_state(sn, "error")
    admin.share_servers.list()
    admin.share_networks.reset_state(sn, "error")
    assert member.share_networks.get(sn.id).status == "error"
    everyone = {n.name for n in clients("b-admin").share_networks.list(
        search_opts={"all_tenants": 1})}
    assert "status-net" in everyone


# Other clients ---------------------------------------------------------------------------

def test_openstacksdk_share_networks_and_subnets(keystone: Keystone,
                                                 clients: Callable[[str], Any]) -> None:
    import openstack

    conn = openstack.connection.Connection(session=keystone.session("a-member"),
                                           shared_file_system_api_version=VERSION)
    sfs = conn.shared_file_system
    net = sfs.create_share_network(name="from-sdk", description="sdk",
                                   neutron_net_id="net-sdk", neutron_subnet_id="sub-sdk")
    assert net.id in {n.id for n in sfs.share_networks()}
    (subnet,) = sfs.get_share_network(net.id).share_network_subnets
    assert subnet["neutron_net_id"] == "net-sdk" and subnet["availability_zone"] is None
    zoned = sfs.create_share_network_subnet(net.id, availability_zone="nova")
    assert zoned.share_network_name == "from-sdk" and zoned.availability_zone == "nova"
    assert {s.id for s in sfs.share_network_subnets(net.id)} == {subnet["id"], zoned.id}
    sfs.delete_share_network_subnet(net.id, zoned.id)
    assert [s.id for s in sfs.share_network_subnets(net.id)] == [subnet["id"]]
    other = openstack.connection.Connection(session=keystone.session("b-member"),
                                            shared_file_system_api_version=VERSION)
    with pytest.raises(openstack.exceptions.NotFoundException):
        other.shared_file_system.get_share_network(net.id)
    sfs.delete_share_network(net.id)
    with pytest.raises(openstack.exceptions.NotFoundException):
        sfs.get_share_network(net.id)


def _openstack(keystone: Keystone, user: str,
               *args: str) -> subprocess.CompletedProcess[str]:
    project = "project-a" if user.startswith("a-") else "project-b"
    env = {**os.environ, "OS_AUTH_URL": keystone.url, "OS_USERNAME": user,
           "OS_PASSWORD": PASSWORD, "OS_PROJECT_NAME": project,
           "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
           "OS_IDENTITY_API_VERSION": "3", "OS_SHARE_API_VERSION": VERSION}
    return subprocess.run([str(servers.BIN / "openstack"), *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_openstack_share_network_cli(keystone: Keystone,
                                     clients: Callable[[str], Any]) -> None:
    made = _openstack(keystone, "a-member", "share", "network", "create", "--name",
                      "from-cli", "-f", "json")
    assert made.returncode == 0, made.stderr
    network_id = json.loads(made.stdout)["id"]
    ss = _openstack(keystone, "a-member", "share", "security", "service", "create",
                    "ldap", "--name", "cli-ldap", "--server", "ldap.example.com", "-f",
                    "json")
    assert ss.returncode == 0, ss.stderr
    ss_id = json.loads(ss.stdout)["id"]
    joined = _openstack(keystone, "a-member", "share", "network", "set", network_id,
                        "--new-security-service", ss_id)
    assert joined.returncode == 0, joined.stderr
    listed = _openstack(keystone, "a-member", "share", "network", "list", "-f", "json")
    assert listed.returncode == 0, listed.stderr
    assert network_id in {row["ID"] for row in json.loads(listed.stdout)}
    shown = _openstack(keystone, "a-member", "share", "network", "show", network_id, "-f",
                       "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["name"] == "from-cli"
    assert [s.id for s in clients("a-member").security_services.list(
        search_opts={"share_network_id": network_id})] == [ss_id]
    assert _openstack(keystone, "b-member", "share", "network", "show",
                      network_id).returncode != 0
