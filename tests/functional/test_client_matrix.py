"""The tenant and admin workflows through every client Abaca promises, with Keystone
tokens: python-manilaclient at 2.0, 2.7, 2.45 and 2.65 (the maximum), openstacksdk's
shared file system proxy, ``openstack share ...``, and manila-csi's request sequence at
2.37, 2.45 and 2.65 over raw HTTP as its Go client sends it.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from manilaclient import client as manila_client
from manilaclient.common.apiclient import exceptions as api_exc

from abaca.api import microversion
from tests.fixtures import servers
from tests.fixtures.keystone import PASSWORD, Keystone

SNAP_TYPE = "matrix-snapshots"
MAX = str(microversion.MAX_VERSION)
BACKENDS = {"alpha": servers.dummy_backend("p1:500,p2:500"),
            "beta": servers.dummy_backend("q1:500")}


@pytest.fixture(scope="module")
def endpoint(keystone: Keystone,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("aio-matrix")
    groups = {"keystone_authtoken": keystone.authtoken_options()}
    with servers.all_in_one(tmp, BACKENDS, groups, auth_strategy="keystone") as (url, proc):
        keystone.set_sharev2_endpoint(url)
        servers.wait_for_pools(url, 3, token=keystone.token("a-admin"))
        admin = manila_client.Client(MAX, session=keystone.session("a-admin"),
                                     service_type="sharev2")
        admin.share_types.create(SNAP_TYPE, spec_driver_handles_share_servers=False,
                                 extra_specs={"snapshot_support": "True"})
        yield url
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def client(keystone: Keystone, user: str, version: str) -> Any:
    return manila_client.Client(version, session=keystone.session(user),
                                service_type="sharev2")


def _wait_share(mc: Any, share_id: str, status: str = "available") -> Any:
    share = servers.wait_for_status(mc, share_id, (status,))
    assert share.status == status, f"share {share_id} is {share.status}"
    return share


def _wait_gone(get: Any, ident: str) -> None:
    def gone() -> bool:
        try:
            get(ident)
        except api_exc.NotFound:
            return True
        return False

    servers.wait_until(gone, what=f"{ident} deleted")


def _access_rules(mc: Any, share: Any, version: str) -> list[Any]:
    if microversion.v(version) >= microversion.v("2.45"):
        return list(mc.share_access_rules.access_list(share))
    return list(mc.shares.access_list(share))


@pytest.mark.parametrize("version", ["2.0", "2.7", "2.45", "2.65", MAX])
def test_tenant_workflow_with_manilaclient(keystone: Keystone, endpoint: str,
                                           version: str) -> None:
    mc = client(keystone, "a-member", version)
    name = f"tenant-{version}"
    share = _wait_share(mc, mc.shares.create("NFS", 1, name=name, share_type=SNAP_TYPE,
                                             metadata={"app": "matrix"}).id)
    assert [s.id for s in mc.shares.list(search_opts={"name": name})] == [share.id]
    assert mc.shares.get(share.id).metadata["app"] == "matrix"
    mc.shares.update(share, display_description="described")
    assert mc.shares.get(share.id).description == "described"

    rule = mc.shares.allow(share, "ip", "198.18.1.7", "rw")
    servers.wait_until(lambda: [r.state for r in _access_rules(mc, share, version)
                                if r.id == rule["id"]] == ["active"], what="rule active")
    if microversion.v(version) >= microversion.v("2.9"):
        paths = [el.path for el in mc.share_export_locations.list(share)]
    else:
        paths = mc.shares.get(share.id).export_locations
    assert paths, "an available share has export locations"

    mc.shares.extend(share, 2)
    servers.wait_until(lambda: mc.shares.get(share.id).size == 2
                       and mc.shares.get(share.id).status == "available", what="extended")

    snap = mc.share_snapshots.create(share, name=f"snap-{version}")
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="snapshot available")
    mc.share_snapshots.delete(snap)
    _wait_gone(mc.share_snapshots.get, snap.id)

    mc.shares.deny(share, rule["id"])
    servers.wait_until(lambda: not _access_rules(mc, share, version), what="rule denied")
    mc.shares.delete(share)
    _wait_gone(mc.shares.get, share.id)


@pytest.mark.parametrize("version", ["2.0", "2.7", "2.45", "2.65", MAX])
def test_admin_workflow_with_manilaclient(keystone: Keystone, endpoint: str,
                                          version: str) -> None:
    admin = client(keystone, "a-admin", version)
    member = client(keystone, "a-member", version)
    binaries = {s.binary for s in admin.services.list()}
    assert {"abaca-scheduler", "abaca-share"} <= binaries
    assert len(admin.pools.list()) == 3

    type_name = f"admin-{version}"
    stype = admin.share_types.create(type_name, spec_driver_handles_share_servers=False)
    assert type_name in [t.name for t in member.share_types.list()]

    project_b = keystone.project_ids["project-b"]
    admin.quotas.update(project_b, shares=7)
    assert admin.quotas.get(project_b).shares == 7
    admin.quotas.delete(project_b)
    assert admin.quotas.get(project_b).shares != 7

    share = _wait_share(member, member.shares.create("NFS", 1, share_type=type_name).id)
    admin.shares.reset_state(share, "error")
    assert member.shares.get(share.id).status == "error"
    admin.shares.force_delete(share)
    _wait_gone(member.shares.get, share.id)
    admin.share_types.delete(stype)
    assert type_name not in [t.name for t in admin.share_types.list()]


def test_openstacksdk_tenant_workflow(keystone: Keystone, endpoint: str) -> None:
    import openstack

    conn = openstack.connection.Connection(session=keystone.session("a-member"),
                                           share_api_version=MAX)
    fs = conn.shared_file_system
    share = fs.create_share(share_proto="NFS", size=1, name="sdk-flow",
                            share_type=SNAP_TYPE)
    servers.wait_until(lambda: fs.get_share(share.id).status == "available",
                       what="sdk share available")
    assert "sdk-flow" in [s.name for s in fs.shares()]
    rule = fs.create_access_rule(share.id, access_type="ip", access_to="198.18.1.8",
                                 access_level="ro")
    servers.wait_until(lambda: fs.get_access_rule(rule.id).state == "active",
                       what="sdk rule active")
    assert [el.path for el in fs.export_locations(share.id)]
    fs.resize_share(share.id, 3)
    servers.wait_until(lambda: fs.get_share(share.id).size == 3, what="sdk resize")
    snap = fs.create_share_snapshot(share_id=share.id, name="sdk-snap")
    servers.wait_until(lambda: fs.get_share_snapshot(snap.id).status == "available",
                       what="sdk snapshot")
    fs.delete_share_snapshot(snap.id)
    servers.wait_until(lambda: snap.id not in [s.id for s in fs.share_snapshots()],
                       what="sdk snapshot deleted")
    fs.delete_access_rule(rule.id, share.id)
    fs.delete_share(share.id)
    servers.wait_until(lambda: share.id not in [s.id for s in fs.shares()],
                       what="sdk share deleted")


def _openstack(keystone: Keystone, user: str, *args: str) -> Any:
    project = "project-a" if user.startswith("a-") else "project-b"
    env = {**os.environ, "OS_AUTH_URL": keystone.url, "OS_USERNAME": user,
           "OS_PASSWORD": PASSWORD, "OS_PROJECT_NAME": project,
           "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
           "OS_IDENTITY_API_VERSION": "3", "OS_SHARE_API_VERSION": MAX}
    formatted = [] if "delete" in args else ["-f", "json"]
    done = subprocess.run([str(servers.BIN / "openstack"), *args, *formatted],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_openstack_share_cli_workflow(keystone: Keystone, endpoint: str) -> None:
    share = _openstack(keystone, "a-member", "share", "create", "NFS", "1", "--name",
                       "cli-flow", "--share-type", SNAP_TYPE, "--wait")
    assert share["status"] == "available"
    rule = _openstack(keystone, "a-member", "share", "access", "create", share["id"], "ip",
                      "198.18.1.9", "--wait")
    rules = _openstack(keystone, "a-member", "share", "access", "list", share["id"])
    assert [r["Access To"] for r in rules] == ["198.18.1.9"]
    assert _openstack(keystone, "a-member", "share", "export", "location", "list",
                      share["id"])
    admin_pools = _openstack(keystone, "a-admin", "share", "pool", "list")
    assert len(admin_pools) == 3
    _openstack(keystone, "a-member", "share", "access", "delete", share["id"], rule["id"])
    _openstack(keystone, "a-member", "share", "delete", share["id"], "--wait")
    assert "cli-flow" not in [s["Name"] for s in
                              _openstack(keystone, "a-member", "share", "list")]


@pytest.mark.parametrize("version", ["2.37", "2.45", "2.65"])
def test_manila_csi_request_sequence(keystone: Keystone, endpoint: str,
                                     version: str) -> None:
    """What manila-csi's CreateVolume/DeleteVolume and snapshot calls send, in order."""
    token = keystone.token("a-member")
    headers = {"X-Auth-Token": token, "X-OpenStack-Manila-API-Version": version,
               "Content-Type": "application/json"}
    base = f"{endpoint}/v2"

    def call(method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        resp = requests.request(method, base + path, headers=headers, timeout=30,
                                data=json.dumps(body) if body is not None else None)
        assert resp.status_code == expect, (method, path, resp.status_code, resp.text)
        return resp.json() if resp.text else None

    # Every client build: the version document, exactly one entry.
    versions = requests.get(f"{endpoint}/v2/", timeout=10).json()
    assert len(versions["versions"]) == 1
    name = f"pvc-{version.replace('.', '-')}"
    assert call("GET", f"/shares/detail?name={name}")["shares"] == []

    create: dict[str, Any] = {"share_proto": "NFS", "size": 1, "name": name,
                              "share_type": SNAP_TYPE,
                              "metadata": {"manila.csi.openstack.org/cluster": "k8s"}}
    if version == "2.65":
        other = call("POST", "/shares", {"share": {"share_proto": "NFS", "size": 1,
                                                   "share_type": SNAP_TYPE}})["share"]
        # a hint names a share that is on a back end already
        servers.wait_until(lambda: call("GET", f"/shares/{other['id']}")["share"]["status"]
                           == "available", what="the hinted share available")
        create["scheduler_hints"] = {"same_host": other["id"]}
    share = call("POST", "/shares", {"share": create})["share"]
    deadline = time.monotonic() + 60
    while call("GET", f"/shares/{share['id']}")["share"]["status"] != "available":
        assert time.monotonic() < deadline, "share never became available"
        time.sleep(0.5)
    assert [s["id"] for s in call("GET", f"/shares/detail?name={name}")["shares"]] == \
        [share["id"]]

    if version == "2.37":
        listed = call("POST", f"/shares/{share['id']}/action", {"access_list": None})
        assert listed["access_list"] == []
    else:
        assert call("GET", f"/share-access-rules?share_id={share['id']}")[
            "access_list"] == []
    rule = call("POST", f"/shares/{share['id']}/action", {"allow_access": {
        "access_type": "ip", "access_to": "198.18.2.0/24", "access_level": "rw"}})["access"]
    assert rule["access_to"] == "198.18.2.0/24"
    locations = call("GET", f"/shares/{share['id']}/export_locations")["export_locations"]
    assert locations and all(el["path"] for el in locations)

    call("POST", f"/shares/{share['id']}/action", {"extend": {"new_size": 2}}, expect=202)
    deadline = time.monotonic() + 60
    while (got := call("GET", f"/shares/{share['id']}")["share"])["size"] != 2 \
            or got["status"] != "available":
        assert time.monotonic() < deadline, "extend did not finish"
        time.sleep(0.5)

    snap = call("POST", "/snapshots", {"snapshot": {"share_id": share["id"],
                                                    "name": f"snap-{name}"}},
                expect=202)["snapshot"]
    deadline = time.monotonic() + 60
    while call("GET", f"/snapshots/{snap['id']}")["snapshot"]["status"] != "available":
        assert time.monotonic() < deadline, "snapshot never became available"
        time.sleep(0.5)
    call("DELETE", f"/snapshots/{snap['id']}", expect=202)
    servers.wait_until(lambda: requests.get(f"{base}/snapshots/{snap['id']}",
                                            headers=headers, timeout=10).status_code == 404,
                       what="snapshot deleted")
    call("DELETE", f"/shares/{share['id']}", expect=202)
    servers.wait_until(lambda: requests.get(f"{base}/shares/{share['id']}", headers=headers,
                                            timeout=10).status_code == 404,
                       what="share deleted")
    if version == "2.65":
        call("DELETE", f"/shares/{other['id']}", expect=202)
