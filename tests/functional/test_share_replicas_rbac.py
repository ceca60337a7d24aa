"""Who may do what with share replicas, with a real Keystone (admin, member and reader
of projects A and B) and Abaca's default policy."""

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

VERSION = "2.56"
TYPE = "ks-replicated"
BACKENDS = {
    "east": servers.dummy_backend("e1:100", backend_availability_zone="zone-a",
                                  dummy_replication_domain="dom1"),
    "west": servers.dummy_backend("w1:100", backend_availability_zone="zone-b",
                                  dummy_replication_domain="dom1",
                                  dummy_method_delays="update_replica_state:1"),
}


@pytest.fixture(scope="module")
def clients(keystone: Keystone,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Any]]:
    tmp = tmp_path_factory.mktemp("aio-replicas-keystone")
    groups = {"keystone_authtoken": keystone.authtoken_options()}
    with servers.all_in_one(tmp, BACKENDS, groups, auth_strategy="keystone",
                            replica_state_update_interval=2) as (url, proc):
        keystone.set_sharev2_endpoint(url)
        servers.wait_for_pools(url, 2, token=keystone.token("a-admin"), timeout=90)
        cache: dict[str, Any] = {}

        def get(user: str) -> Any:
            if user not in cache:
                cache[user] = manila_client.Client(
                    VERSION, session=keystone.session(user), service_type="sharev2")
            return cache[user]

        get("a-admin").share_types.create(TYPE, spec_driver_handles_share_servers=False,
                                          extra_specs={"replication_type": "readable"})
        yield get
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def _replica(mc: Any, replica_id: str, state: str) -> Any:
    def done() -> Any:
        rep = mc.share_replicas.get(replica_id)
        return rep if rep.status == "available" and rep.replica_state == state else None

    return servers.wait_until(done, timeout=90, what=f"replica {replica_id} {state}")


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


def test_members_readers_admins_and_other_projects(clients: Callable[[str], Any]) -> None:
    member, reader, admin = clients("a-member"), clients("a-reader"), clients("a-admin")
    share = servers.wait_for_status(member, member.shares.create(
        "NFS", 1, share_type=TYPE, availability_zone="zone-a").id)
    assert share.status == "available"
    rep = member.share_replicas.create(share, availability_zone="zone-b")
    out_of_sync = _replica(member, rep.id, "out_of_sync")
    assert not hasattr(out_of_sync, "host")  # admin-only field

    # a reader sees the replicas but changes nothing
    assert {r.id for r in reader.share_replicas.list(share)} >= {rep.id}
    assert reader.share_replicas.get(rep.id).share_id == share.id
    _refused(api_exc.Forbidden, [
        lambda: reader.share_replicas.create(share, availability_zone="zone-b"),
        lambda: reader.share_replicas.delete(rep.id),
        lambda: reader.share_replicas.promote(rep.id),
    ])
    # promoting an out_of_sync replica takes an administrator; so do the admin actions
    _refused(api_exc.Forbidden, [
        lambda: member.share_replicas.promote(rep.id),
        lambda: member.share_replicas.resync(rep.id),
        lambda: member.share_replicas.reset_state(rep.id, "error"),
        lambda: member.share_replicas.reset_replica_state(rep.id, "error"),
        lambda: member.share_replicas.delete(rep.id, force=True),
    ])
    assert member.share_replicas.get(rep.id).status == "available"

    # another project's replicas do not exist for its members or readers
    for outsider in (clients("b-member"), clients("b-reader")):
        assert rep.id not in {r.id for r in outsider.share_replicas.list()}
        _refused(api_exc.NotFound, [
            lambda o=outsider: o.share_replicas.get(rep.id),
            lambda o=outsider: o.share_replicas.delete(rep.id),
            lambda o=outsider: o.share_replicas.promote(rep.id),
            lambda o=outsider: o.share_replicas.create(share, availability_zone="zone-b"),
            lambda o=outsider: o.share_replica_export_locations.list(rep.id),
        ])

    # once in sync a member may promote it; the admin sees hosts and resets states
    _replica(member, rep.id, "in_sync")
    member.share_replicas.promote(rep.id)
    _replica(member, rep.id, "active")
    assert admin.share_replicas.get(rep.id).host.startswith("testhost@west#")
    old = next(r for r in admin.share_replicas.list(share) if r.id != rep.id)
    admin.share_replicas.reset_replica_state(old.id, "error")
    assert member.share_replicas.get(old.id).replica_state == "error"
    member.share_replicas.delete(old.id)
    servers.wait_until(lambda: len(member.share_replicas.list(share)) == 1,
                       what="old active replica deleted")
    member.shares.delete(share)


def _openstack(keystone: Keystone, user: str, *args: str) -> Any:
    """``openstack share ...`` (python-manilaclient's OSC plugin) as ``user``."""
    env = {**os.environ, "OS_AUTH_URL": keystone.url, "OS_USERNAME": user,
           "OS_PASSWORD": PASSWORD, "OS_PROJECT_NAME": "project-a",
           "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
           "OS_IDENTITY_API_VERSION": "3", "OS_SHARE_API_VERSION": VERSION}
    silent = {"delete", "promote", "resync"} & set(args)  # commands that print nothing
    formatted = [] if silent else ["-f", "json"]
    done = subprocess.run([str(servers.BIN / "openstack"), *args, *formatted],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_openstack_share_replica_cli(keystone: Keystone,
                                     clients: Callable[[str], Any]) -> None:
    member = clients("a-member")
    share = _openstack(keystone, "a-member", "share", "create", "NFS", "1", "--share-type",
                       TYPE, "--availability-zone", "zone-a", "--wait")
    assert share["status"] == "available"
    replica = _openstack(keystone, "a-member", "share", "replica", "create", share["id"],
                         "--availability-zone", "zone-b")
    _replica(member, replica["id"], "in_sync")
    listed = _openstack(keystone, "a-member", "share", "replica", "list", "--share",
                        share["id"])
    assert {r["ID"]: r["Replica State"] for r in listed} == {
        next(r.id for r in member.share_replicas.list(share["id"])
             if r.replica_state == "active"): "active",
        replica["id"]: "in_sync"}
    locations = _openstack(keystone, "a-member", "share", "replica", "export", "location",
                           "list", replica["id"])
    assert len(locations) == 1 and "/dummy/w1/" in locations[0]["Path"]
    _openstack(keystone, "a-member", "share", "replica", "promote", replica["id"])
    _replica(member, replica["id"], "active")
    old = next(r for r in member.share_replicas.list(share["id"]) if r.id != replica["id"])
    _openstack(keystone, "a-member", "share", "replica", "delete", old.id)
    servers.wait_until(lambda: len(member.share_replicas.list(share["id"])) == 1,
                       timeout=90, what="replica deleted")
    _openstack(keystone, "a-member", "share", "delete", share["id"])
