"""Who may do what with share groups, group snapshots and group types, with a real
Keystone (admin, member and reader of projects A and B) and Abaca's default policy;
openstacksdk and the ``openstack share group`` commands on the same deployment."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import openstack
import pytest
from manilaclient import client as manila_client
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers
from tests.fixtures.keystone import PASSWORD, Keystone

VERSION = "2.55"
TYPE = "ks-grouped"


@pytest.fixture(scope="module")
def clients(keystone: Keystone,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Any]]:
    tmp = tmp_path_factory.mktemp("aio-groups-keystone")
    groups = {"keystone_authtoken": keystone.authtoken_options()}
    with servers.all_in_one(tmp, {"alpha": servers.dummy_backend()}, groups,
                            auth_strategy="keystone") as (url, proc):
        keystone.set_sharev2_endpoint(url)
        servers.wait_for_pools(url, 1, token=keystone.token("a-admin"))
        cache: dict[str, Any] = {}

        def get(user: str) -> Any:
            if user not in cache:
                cache[user] = manila_client.Client(
                    VERSION, session=keystone.session(user), service_type="sharev2")
            return cache[user]

        get("a-admin").share_types.create(TYPE, spec_driver_handles_share_servers=False,
                                          extra_specs={"snapshot_support": "True"})
        yield get
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def _refused(expected: type[Exception], attempts: list[Callable[[], Any]]) -> None:
    wrong: dict[int, str] = {}
    for number, attempt in enumerate(attempts):
        try:
            attempt()
            wrong[number] = "succeeded"
        except expected:
            continue
        except Exception as exc:  # reported with the attempt's index
            wrong[number] = f"{type(exc).__name__}: {exc}"
    assert not wrong, wrong


def _settled(get: Callable[[str], Any], ident: str) -> Any:
    def done() -> Any:
        found = get(ident)
        return found if found.status not in ("creating", "deleting") else None

    return servers.wait_until(done, what=f"{ident} settled")


def test_members_readers_admins_and_other_projects(clients: Callable[[str], Any]) -> None:
    admin, member, reader = clients("a-admin"), clients("a-member"), clients("a-reader")
    st = next(t for t in member.share_types.list() if t.name == TYPE)
    gt = admin.share_group_types.create("ks-group-type", [st.id], is_public=True)
    # group types are the administrator's
    _refused(api_exc.Forbidden, [
        lambda: member.share_group_types.create("mine", [st.id]),
        lambda: member.share_group_types.delete(gt),
        lambda: member.share_group_types.get(gt.id).get_keys(prefer_resource_data=False),
        lambda: member.share_group_types.get(gt.id).set_keys({"k": "v"}),
    ])
    assert gt.id in {t.id for t in reader.share_group_types.list()}

    group = _settled(member.share_groups.get, member.share_groups.create(
        share_group_type=gt.id, share_types=[st.id], name="a-group").id)
    assert group.status == "available"
    assert not hasattr(member.share_groups.get(group.id), "share_server_id")  # admin field
    share = servers.wait_for_status(member, member.shares.create(
        "NFS", 1, share_type=st.id, share_group_id=group.id).id)
    snap = _settled(member.share_group_snapshots.get,
                    member.share_group_snapshots.create(group).id)
    assert snap.status == "available"

    # a reader sees them and changes nothing
    assert group.id in {g.id for g in reader.share_groups.list()}
    assert reader.share_group_snapshots.get(snap.id).share_group_id == group.id
    _refused(api_exc.Forbidden, [
        lambda: reader.share_groups.create(share_group_type=gt.id, share_types=[st.id]),
        lambda: reader.share_groups.update(group, name="x"),
        lambda: reader.share_groups.delete(group),
        lambda: reader.share_group_snapshots.create(group),
        lambda: reader.share_group_snapshots.update(snap, name="x"),
        lambda: reader.share_group_snapshots.delete(snap),
    ])
    # the admin actions take an administrator
    _refused(api_exc.Forbidden, [
        lambda: member.share_groups.reset_state(group, "error"),
        lambda: member.share_groups.delete(group, force=True),
        lambda: member.share_group_snapshots.reset_state(snap, "error"),
        lambda: member.share_group_snapshots.delete(snap, force=True),
    ])
    assert member.share_groups.get(group.id).status == "available"

    # another project's groups and group snapshots do not exist for its users
    for outsider in (clients("b-member"), clients("b-reader")):
        assert group.id not in {g.id for g in outsider.share_groups.list()}
        assert snap.id not in {s.id for s in outsider.share_group_snapshots.list()}
        _refused(api_exc.NotFound, [
            lambda o=outsider: o.share_groups.get(group.id),
            lambda o=outsider: o.share_groups.update(group.id, name="x"),
            lambda o=outsider: o.share_groups.delete(group.id),
            lambda o=outsider: o.share_group_snapshots.get(snap.id),
            lambda o=outsider: o.share_group_snapshots.delete(snap.id),
        ])
    b_member = clients("b-member")
    _refused(api_exc.BadRequest, [
        lambda: b_member.share_group_snapshots.create(group.id),
        lambda: b_member.shares.create("NFS", 1, share_type=st.id, share_group_id=group.id),
        lambda: b_member.share_groups.create(source_share_group_snapshot=snap.id),
    ])

    # the administrator resets and force-deletes
    admin.share_group_snapshots.reset_state(snap, "error")
    assert member.share_group_snapshots.get(snap.id).status == "error"
    member.share_group_snapshots.delete(snap)
    servers.wait_until(lambda: snap.id not in {s.id for s in
                                               member.share_group_snapshots.list()},
                       what="group snapshot deleted")
    member.shares.delete(share, share_group_id=group.id)
    servers.wait_until(lambda: not member.shares.list(), what="share deleted")
    admin.share_groups.delete(group, force=True)
    assert group.id not in {g.id for g in member.share_groups.list()}
    admin.share_group_types.delete(gt)


def test_openstacksdk_and_the_openstack_cli(keystone: Keystone,
                                            clients: Callable[[str], Any]) -> None:
    admin = clients("a-admin")
    st = next(t for t in admin.share_types.list() if t.name == TYPE)
    gt = admin.share_group_types.create("sdk-group-type", [st.id], is_public=True)
    conn = openstack.connection.Connection(session=keystone.session("a-member"),
                                           shared_file_system_api_version=VERSION)
    sfs = conn.shared_file_system
    group = sfs.create_share_group(name="from-sdk", share_group_type_id=gt.id,
                                   share_types=[st.id])
    servers.wait_until(lambda: sfs.get_share_group(group.id).status == "available",
                       what="sdk group available")
    assert group.id in {g.id for g in sfs.share_groups()}
    snap = sfs.create_share_group_snapshot(group.id, name="sdk-snap")
    servers.wait_until(lambda: sfs.get_share_group_snapshot(snap.id).status == "available",
                       what="sdk group snapshot available")
    assert snap.id in {s.id for s in sfs.share_group_snapshots(share_group_id=group.id)}

    env = {**os.environ, "OS_AUTH_URL": keystone.url, "OS_USERNAME": "a-member",
           "OS_PASSWORD": PASSWORD, "OS_PROJECT_NAME": "project-a",
           "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
           "OS_IDENTITY_API_VERSION": "3", "OS_SHARE_API_VERSION": VERSION}

    def cli(*args: str) -> Any:
        done = subprocess.run([str(servers.BIN / "openstack"), *args, "-f", "json"],
                              capture_output=True, text=True, env=env, timeout=120,
                              check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert group.id in {g["ID"] for g in cli("share", "group", "list")}
    assert cli("share", "group", "show", group.id)["name"] == "from-sdk"
    assert snap.id in {s["ID"] for s in cli("share", "group", "snapshot", "list")}

    sfs.delete_share_group_snapshot(snap.id)
    servers.wait_until(lambda: snap.id not in {s.id for s in sfs.share_group_snapshots()},
                       what="sdk group snapshot deleted")
    sfs.delete_share_group(group.id)
    servers.wait_until(lambda: group.id not in {g.id for g in sfs.share_groups()},
                       what="sdk group deleted")
    admin.share_group_types.delete(gt)
