"""auth_strategy = keystone against a real Keystone: tokens, personas and isolation.

Projects A and B each have an admin, a member and a reader. Through real HTTP with
python-manilaclient (keystoneauth sessions and the service catalog), openstacksdk and
``openstack share``: B's users cannot see or touch A's shares, snapshots and access
rules (404, as Manila's project-scoped lookups answer), a reader cannot write (403), a
non-admin cannot use admin actions (403), an admin can, and no token is 401. A
``policy.yaml`` edit changes an outcome while the service runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from manilaclient import client as manila_client
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers
from tests.fixtures.keystone import PASSWORD, Keystone

VERSION = "2.65"
SNAP_TYPE = "ks-snapshots"


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text("# no overrides yet\n")
    return path


@pytest.fixture(scope="module")
def endpoint(keystone: Keystone, tmp_path_factory: pytest.TempPathFactory,
             policy_file: Path) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("aio-keystone")
    groups = {"keystone_authtoken": keystone.authtoken_options(),
              "oslo_policy": {"policy_file": str(policy_file)}}
    with servers.all_in_one(tmp, {"alpha": servers.dummy_backend()}, groups,
                            auth_strategy="keystone") as (url, proc):
        keystone.set_sharev2_endpoint(url)
        token = keystone.token("a-admin")
        servers.wait_for_pools(url, 1, token=token)
        yield url
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def mc_for(keystone: Keystone, user: str) -> Any:
    """manilaclient as ``user``: a keystoneauth session; the catalog gives the URL."""
    return manila_client.Client(VERSION, session=keystone.session(user),
                                service_type="sharev2")


@pytest.fixture(scope="module")
def clients(keystone: Keystone, endpoint: str) -> Callable[[str], Any]:
    cache: dict[str, Any] = {}

    def get(user: str) -> Any:
        if user not in cache:
            cache[user] = mc_for(keystone, user)
        return cache[user]

    return get


def _available_share(mc: Any, **kw: Any) -> Any:
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1, **kw).id)
    assert share.status == "available"
    return share


@pytest.fixture(scope="module")
def a_resources(clients: Callable[[str], Any]) -> dict[str, Any]:
    """A share of project A (made by A's member) with a snapshot and an access rule."""
    clients("a-admin").share_types.create(
        SNAP_TYPE, spec_driver_handles_share_servers=False,
        extra_specs={"snapshot_support": "True"})
    mc = clients("a-member")
    share = _available_share(mc, share_type=SNAP_TYPE, metadata={"team": "a"})
    rule = mc.shares.allow(share, "ip", "198.18.0.10", "rw")
    snap = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="snapshot available")
    servers.wait_until(lambda: mc.shares.get(share.id).access_rules_status == "active",
                       what="rule active")
    return {"share": share, "snapshot": snap, "rule_id": rule["id"]}


def _raw(endpoint: str, token: str | None, method: str, path: str,
         body: Any = None, version: str = VERSION) -> requests.Response:
    headers = {"X-OpenStack-Manila-API-Version": version}
    if token is not None:
        headers["X-Auth-Token"] = token
    return requests.request(method, f"{endpoint}/v2{path}", headers=headers, json=body,
                            timeout=30)


def _all_refused(expected: type[Exception], attempts: list[Callable[[], Any]]) -> None:
    """Every attempt fails with ``expected``; otherwise name (by index) those that did not."""
    wrong: dict[int, str] = {}
    for number, attempt in enumerate(attempts):
        try:
            attempt()
            wrong[number] = "succeeded"
        except expected:
            continue
        except Exception as exc:  # reported below with the attempt's index
            wrong[number] = f"{type(exc).__name__}: {exc}"
    assert not wrong, wrong


# Authentication --------------------------------------------------------------------------

def test_no_token_or_a_bad_token_is_401_with_manila_body(endpoint: str,
                                                         keystone: Keystone) -> None:
    for token in (None, "not-a-token", "admin:demo"):  # noauth's token means nothing here
        resp = _raw(endpoint, token, "GET", "/shares")
        assert resp.status_code == 401, (token, resp.text)
        assert resp.json() == {"unauthorized": {
            "code": 401, "message": "The request you have made requires authentication."}}
        assert resp.headers["WWW-Authenticate"] == f'Keystone uri="{keystone.url}"'
    # A client cannot claim an identity by sending auth_token's own headers.
    resp = requests.get(f"{endpoint}/v2/shares", timeout=10, headers={
        "X-Identity-Status": "Confirmed", "X-Roles": "admin", "X-Project-Id": "x"})
    assert resp.status_code == 401


def test_a_token_without_a_project_is_refused(endpoint: str,
                                              keystone: Keystone) -> None:
    unscoped = ks_session.Session(auth=v3.Password(
        auth_url=keystone.url, username="a-member", password=PASSWORD,
        user_domain_id="default", unscoped=True))
    resp = _raw(endpoint, unscoped.get_token(), "GET", "/shares")
    assert resp.status_code == 403
    assert resp.json() == {"forbidden": {"code": 403,
                                         "message": "Abaca needs a project-scoped token."}}


def test_version_documents_stay_open(endpoint: str) -> None:
    for path in ("/", "/v2/"):
        resp = requests.get(endpoint + path, timeout=10)
        assert resp.status_code == 200, path
        assert resp.json()["versions"][0]["id"].startswith("v2"), path


def test_a_token_of_another_project_in_the_url_is_refused(
        endpoint: str, keystone: Keystone) -> None:
    project_b = keystone.project_ids["project-b"]
    resp = _raw(endpoint, keystone.token("a-member"), "GET", f"/{project_b}/shares")
    assert resp.status_code == 400
    assert "Malformed request url" in resp.json()["badRequest"]["message"]
    project_a = keystone.project_ids["project-a"]
    assert _raw(endpoint, keystone.token("a-member"), "GET",
                f"/{project_a}/shares").status_code == 200


# Isolation between projects ---------------------------------------------------------------

@pytest.mark.parametrize("user", ["b-member", "b-reader"])
def test_another_project_cannot_see_or_touch_a_share(
        endpoint: str, keystone: Keystone, clients: Callable[[str], Any],
        a_resources: dict[str, Any], user: str) -> None:
    share, snap, rule_id = a_resources["share"], a_resources["snapshot"], a_resources["rule_id"]
    mc = clients(user)
    assert share.id not in {s.id for s in mc.shares.list()}
    assert share.id not in {s.id for s in mc.shares.list(search_opts={"all_tenants": 1})}
    assert snap.id not in {s.id for s in mc.share_snapshots.list()}
    attempts: list[Callable[[], Any]] = [
        lambda: mc.shares.get(share.id),
        lambda: mc.shares.update(share.id, display_name="stolen"),
        lambda: mc.shares.delete(share.id),
        lambda: mc.shares.extend(share.id, 2),
        lambda: mc.shares.shrink(share.id, 1),
        lambda: mc.shares.allow(share.id, "ip", "198.18.0.66", "rw"),
        lambda: mc.shares.deny(share.id, rule_id),
        lambda: mc.share_access_rules.access_list(share.id),
        lambda: mc.shares.get_metadata(share.id),
        lambda: mc.shares.set_metadata(share.id, {"team": "b"}),
        lambda: mc.shares.delete_metadata(share.id, ["team"]),
        lambda: mc.share_export_locations.list(share.id),
        lambda: mc.share_access_rules.get(rule_id),
        lambda: mc.share_access_rules.set_metadata(rule_id, {"k": "v"}),
        lambda: mc.share_snapshots.get(snap.id),
        lambda: mc.share_snapshots.update(snap.id, display_name="stolen"),
        lambda: mc.share_snapshots.delete(snap.id),
        lambda: mc.share_snapshots.create(share.id),
        lambda: mc.shares.revert_to_snapshot(share.id, snap.id),
    ]
    _all_refused(api_exc.NotFound, attempts)
    token = keystone.token(user)
    for version, action in (("2.44", "access_list"), ("2.6", "os-access_list")):
        resp = _raw(endpoint, token, "POST", f"/shares/{share.id}/action", {action: None},
                    version=version)
        assert resp.status_code == 404, (version, resp.text)
    owner = clients("a-member")
    assert owner.shares.get(share.id).name is None  # nothing changed
    assert owner.shares.get_metadata(share.id)._info == {"team": "a"}
    assert owner.share_snapshots.get(snap.id).status == "available"


def test_a_reader_reads_but_cannot_write(endpoint: str, keystone: Keystone,
                                         clients: Callable[[str], Any],
                                         a_resources: dict[str, Any]) -> None:
    share, snap, rule_id = a_resources["share"], a_resources["snapshot"], a_resources["rule_id"]
    mc = clients("a-reader")
    assert mc.shares.get(share.id).id == share.id
    assert share.id in {s.id for s in mc.shares.list()}
    assert mc.share_snapshots.get(snap.id).id == snap.id
    assert rule_id in {r.id for r in mc.share_access_rules.access_list(share.id)}
    legacy = _raw(endpoint, keystone.token("a-reader"), "POST", f"/shares/{share.id}/action",
                  {"access_list": None}, version="2.44")
    assert rule_id in {r["id"] for r in legacy.json()["access_list"]}
    assert mc.share_access_rules.get(rule_id).id == rule_id
    assert mc.shares.get_metadata(share.id)._info == {"team": "a"}
    assert mc.share_export_locations.list(share.id)
    writes: list[Callable[[], Any]] = [
        lambda: mc.shares.create("NFS", 1),
        lambda: mc.shares.update(share.id, display_name="renamed"),
        lambda: mc.shares.delete(share.id),
        lambda: mc.shares.extend(share.id, 2),
        lambda: mc.shares.allow(share.id, "ip", "198.18.0.67", "ro"),
        lambda: mc.shares.deny(share.id, rule_id),
        lambda: mc.shares.set_metadata(share.id, {"team": "x"}),
        lambda: mc.shares.delete_metadata(share.id, ["team"]),
        lambda: mc.share_access_rules.set_metadata(rule_id, {"k": "v"}),
        lambda: mc.share_snapshots.create(share.id),
        lambda: mc.share_snapshots.update(snap.id, display_name="renamed"),
        lambda: mc.share_snapshots.delete(snap.id),
    ]
    _all_refused(api_exc.Forbidden, writes)
    assert clients("a-member").shares.get(share.id).size == 1


ADMIN_ONLY: list[tuple[str, str, str, Any]] = [
    # (name, method, path template, body)
    ("reset_status", "POST", "/shares/{share}/action",
     {"reset_status": {"status": "available"}}),
    ("force_delete", "POST", "/shares/{share}/action", {"force_delete": None}),
    ("unmanage", "POST", "/shares/{share}/action", {"unmanage": None}),
    ("manage", "POST", "/shares/manage", {"share": {
        "protocol": "NFS", "export_path": "198.18.0.1:/x", "service_host": "h@b#p"}}),
    ("snapshot reset_status", "POST", "/snapshots/{snapshot}/action",
     {"reset_status": {"status": "available"}}),
    ("snapshot force_delete", "POST", "/snapshots/{snapshot}/action", {"force_delete": None}),
    ("services", "GET", "/services", None),
    ("service disable", "PUT", "/services/disable", {"host": "testhost", "binary": "x"}),
    ("scheduler-stats", "GET", "/scheduler-stats/pools", None),
    ("scheduler-stats detail", "GET", "/scheduler-stats/pools/detail", None),
    ("share type create", "POST", "/types", {"share_type": {
        "name": "sneaky", "extra_specs": {"driver_handles_share_servers": False}}}),
    ("share type delete", "DELETE", "/types/{type}", None),
    ("extra spec set", "POST", "/types/{type}/extra_specs", {"extra_specs": {"k": "v"}}),
]


@pytest.mark.parametrize("user", ["a-member", "a-reader", "b-member"])
def test_non_admins_get_403_for_admin_actions(
        endpoint: str, keystone: Keystone, a_resources: dict[str, Any],
        clients: Callable[[str], Any], user: str) -> None:
    token = keystone.token(user)
    type_id = next(t.id for t in clients("a-admin").share_types.list()
                   if t.name == SNAP_TYPE)
    names = {"share": a_resources["share"].id, "snapshot": a_resources["snapshot"].id,
             "type": type_id}
    for name, method, path, body in ADMIN_ONLY:
        resp = _raw(endpoint, token, method, path.format(**names), body)
        assert resp.status_code == 403, (name, resp.status_code, resp.text)
        assert resp.json()["forbidden"]["code"] == 403
    owner = clients("a-member")
    assert owner.shares.get(a_resources["share"].id).status == "available"
    assert SNAP_TYPE in {t.name for t in owner.share_types.list()}


def test_admins_can_use_admin_actions_and_see_every_project(
        endpoint: str, keystone: Keystone, clients: Callable[[str], Any]) -> None:
    member_b = clients("b-member")
    share = _available_share(member_b)
    admin = clients("a-admin")  # admin role in project A: an administrator of the cloud
    assert admin.shares.get(share.id).project_id == keystone.project_ids["project-b"]
    assert share.id in {s.id for s in admin.shares.list(search_opts={"all_tenants": 1})}
    assert share.id not in {s.id for s in admin.shares.list()}  # own project by default
    assert {s.binary for s in admin.services.list()} >= {"abaca-scheduler", "abaca-share"}
    assert admin.pools.list()
    admin.shares.reset_state(share.id, "error")
    assert member_b.shares.get(share.id).status == "error"
    admin.shares.force_delete(share.id)
    servers.wait_until(lambda: share.id not in {s.id for s in member_b.shares.list()},
                       what="share force-deleted")
    st = admin.share_types.create("admin-made", spec_driver_handles_share_servers=False)
    admin.share_types.delete(st.id)


def test_a_public_share_is_visible_to_other_projects_but_not_writable(
        clients: Callable[[str], Any]) -> None:
    with pytest.raises(api_exc.Forbidden):  # share:create_public_share is admin-only
        clients("a-member").shares.create("NFS", 1, is_public=True)
    own = clients("a-member").shares.create("NFS", 1)
    with pytest.raises(api_exc.Forbidden):  # and so is share:set_public_share
        clients("a-member").shares.update(own.id, is_public=True)
    clients("a-member").shares.delete(servers.wait_for_status(clients("a-member"), own.id))
    share = _available_share(clients("a-admin"), is_public=True)
    reader_b = clients("b-member")
    assert reader_b.shares.get(share.id).is_public is True
    assert share.id in {s.id for s in reader_b.shares.list(search_opts={"is_public": True})}
    for attempt in (lambda: reader_b.shares.delete(share.id),
                    lambda: reader_b.shares.update(share.id, display_name="mine"),
                    lambda: reader_b.shares.allow(share.id, "ip", "198.18.0.9", "rw")):
        with pytest.raises(api_exc.Forbidden):  # visible, so a rule failure is 403
            attempt()
    clients("a-admin").shares.delete(share.id)


def test_user_messages_stay_in_their_project(clients: Callable[[str], Any]) -> None:
    clients("a-admin").share_types.create("nowhere", spec_driver_handles_share_servers=False,
                                          extra_specs={"kind": "nowhere"})
    member = clients("a-member")
    share = servers.wait_for_status(member, member.shares.create(
        "NFS", 1, share_type="nowhere").id)
    assert share.status == "error"  # no pool has kind=nowhere: a message says so
    (msg_id,) = [m.id for m in member.messages.list() if m.resource_id == share.id]
    reader = clients("a-reader")
    assert reader.messages.get(msg_id).resource_id == share.id
    with pytest.raises(api_exc.Forbidden):  # message:delete is for members
        reader.messages.delete(msg_id)
    for user in ("b-member", "b-reader"):
        other = clients(user)
        assert msg_id not in {m.id for m in other.messages.list()}
        _all_refused(api_exc.NotFound, [lambda mc=other: mc.messages.get(msg_id),
                                        lambda mc=other: mc.messages.delete(msg_id)])
    assert clients("b-admin").messages.get(msg_id).id == msg_id
    member.messages.delete(msg_id)
    member.shares.delete(share.id)


def test_readers_see_zones_and_their_own_limits(clients: Callable[[str], Any],
                                                a_resources: dict[str, Any]) -> None:
    assert {z.name for z in clients("a-reader").availability_zones.list()}

    def used(user: str) -> tuple[int, int]:
        absolute = clients(user).limits.get()._info["absolute"]
        return absolute["totalSharesUsed"], absolute["totalShareSnapshotsUsed"]

    (shares_a, snapshots_a), (shares_b, snapshots_b) = used("a-reader"), used("b-reader")
    assert shares_a >= 1 and snapshots_a >= 1 and snapshots_b == 0
    share = _available_share(clients("b-member"))
    assert used("b-reader") == (shares_b + 1, 0)  # B's new share counts for B only
    assert used("a-reader") == (shares_a, snapshots_a)
    clients("b-member").shares.delete(share.id)


def test_scheduler_hint_metadata_is_for_admins(clients: Callable[[str], Any]) -> None:
    member, admin = clients("a-member"), clients("a-admin")
    share = _available_share(member, metadata={"team": "a"})
    hint = {"__affinity_same_host": share.id}
    with pytest.raises(api_exc.Forbidden):  # share:update_admin_only_metadata
        member.shares.set_metadata(share.id, hint)
    admin.shares.set_metadata(share.id, hint)
    with pytest.raises(api_exc.Forbidden):
        member.shares.delete_metadata(share.id, ["__affinity_same_host"])
    member.shares.update_all_metadata(share.id, {"team": "b"})  # replaces the rest only
    assert member.shares.get_metadata(share.id)._info == {"team": "b", **hint}
    member.shares.delete(share.id)


# Other clients ---------------------------------------------------------------------------

def test_openstacksdk_shared_file_system_with_keystone(
        keystone: Keystone, endpoint: str) -> None:
    import openstack

    conn = openstack.connection.Connection(session=keystone.session("a-member"),
                                           shared_file_system_api_version=VERSION)
    share = conn.shared_file_system.create_share(share_protocol="NFS", size=1,
                                                 name="from-sdk")
    servers.wait_until(lambda: conn.shared_file_system.get_share(share.id).status
                       == "available", what="sdk share available")
    assert share.id in {s.id for s in conn.shared_file_system.shares()}
    other = openstack.connection.Connection(session=keystone.session("b-reader"),
                                            shared_file_system_api_version=VERSION)
    assert share.id not in {s.id for s in other.shared_file_system.shares()}
    with pytest.raises(openstack.exceptions.NotFoundException):
        other.shared_file_system.get_share(share.id)
    conn.shared_file_system.delete_share(share.id)


def _openstack(keystone: Keystone, user: str, *args: str) -> subprocess.CompletedProcess[str]:
    project = "project-a" if user.startswith("a-") else "project-b"
    env = {**os.environ, "OS_AUTH_URL": keystone.url, "OS_USERNAME": user,
           "OS_PASSWORD": PASSWORD, "OS_PROJECT_NAME": project,
           "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
           "OS_IDENTITY_API_VERSION": "3", "OS_SHARE_API_VERSION": VERSION}
    return subprocess.run([str(servers.BIN / "openstack"), *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_openstack_share_cli_with_keystone(keystone: Keystone, endpoint: str) -> None:
    made = _openstack(keystone, "a-member", "share", "create", "NFS", "1", "--name",
                      "from-cli", "-f", "json")
    assert made.returncode == 0, made.stderr
    share_id = json.loads(made.stdout)["id"]
    listed = _openstack(keystone, "a-member", "share", "list", "-f", "json")
    assert listed.returncode == 0, listed.stderr
    assert share_id in {row["ID"] for row in json.loads(listed.stdout)}
    shown = _openstack(keystone, "a-reader", "share", "show", share_id, "-f", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["name"] == "from-cli"
    hidden = _openstack(keystone, "b-member", "share", "show", share_id, "-f", "json")
    assert hidden.returncode != 0 and "No share with a name or ID" in hidden.stderr
    refused = _openstack(keystone, "a-reader", "share", "create", "NFS", "1")
    assert refused.returncode != 0 and "403" in refused.stderr


# policy.yaml ---------------------------------------------------------------------------

def _write_policy(path: Path, text: str) -> None:
    path.write_text(text)
    stamp = time.time() + 2  # a new mtime even within the file system's granularity
    os.utime(path, (stamp, stamp))


def test_a_policy_file_edit_changes_outcomes_at_once(
        policy_file: Path, clients: Callable[[str], Any]) -> None:
    member, admin = clients("a-member"), clients("a-admin")
    private = _available_share(member)
    _write_policy(policy_file, '"share:create": "rule:context_is_admin"\n'
                               '"share_type:create": "role:member"\n'
                               '"share:get": "rule:context_is_admin"\n')
    try:
        with pytest.raises(api_exc.Forbidden):
            member.shares.create("NFS", 1)
        with pytest.raises(api_exc.NotFound):  # as Manila: a private share it may not get
            member.shares.get(private.id)
        assert admin.shares.get(private.id).id == private.id
        share = admin.shares.create("NFS", 1)  # admins still may
        made = clients("a-member").share_types.create(
            "member-made", spec_driver_handles_share_servers=False)
        assert made.name == "member-made"
    finally:
        _write_policy(policy_file, "# no overrides\n")
    admin.share_types.delete(made.id)
    servers.wait_for_status(admin, share.id)
    member.shares.delete(admin.shares.get(share.id).id)  # own project again, default rules
    member.shares.delete(member.shares.get(private.id).id)
    with pytest.raises(api_exc.Forbidden):
        member.share_types.create("again", spec_driver_handles_share_servers=False)


def test_a_catalog_with_the_project_in_the_url(keystone: Keystone, endpoint: str,
                                               a_resources: dict[str, Any]) -> None:
    """Older Manila catalogs carry /v2/$(project_id)s: clients then put their project
    in every URL, and Abaca takes it when it is the token's project."""
    keystone.set_sharev2_endpoint(endpoint, "/v2/$(project_id)s")
    try:
        mc = mc_for(keystone, "a-reader")
        assert a_resources["share"].id in {s.id for s in mc.shares.list()}
        assert mc.shares.get(a_resources["share"].id).links[0]["href"].startswith(
            f"{endpoint}/v2/{keystone.project_ids['project-a']}/shares/")
        with pytest.raises(api_exc.NotFound):
            mc_for(keystone, "b-reader").shares.get(a_resources["share"].id)
    finally:
        keystone.set_sharev2_endpoint(endpoint)
