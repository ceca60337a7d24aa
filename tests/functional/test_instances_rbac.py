"""Who may use what microversions 2.46-2.65 added, with a real Keystone (admin, member
and reader of projects A and B) and Abaca's default policy: share and snapshot
instances, mountable snapshot access, share type access, forced extend, extending past
a type's maximum and scheduler hints naming another project's share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from manilaclient import client as manila_client
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers
from tests.fixtures.keystone import Keystone

VERSION = "2.65"
TYPE = "ks-mountable"
PRIVATE = "ks-private"


@pytest.fixture(scope="module")
def clients(keystone: Keystone,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Any]]:
    tmp = tmp_path_factory.mktemp("aio-instances-keystone")
    groups = {"keystone_authtoken": keystone.authtoken_options()}
    with servers.all_in_one(tmp, {"alpha": servers.dummy_backend("p:100")}, groups,
                            auth_strategy="keystone") as (url, proc):
        keystone.set_sharev2_endpoint(url)
        servers.wait_for_pools(url, 1, token=keystone.token("a-admin"))
        cache: dict[str, Any] = {}

        def get(user: str) -> Any:
            if user not in cache:
                cache[user] = manila_client.Client(
                    VERSION, session=keystone.session(user), service_type="sharev2")
            return cache[user]

        admin = get("a-admin")
        admin.share_types.create(TYPE, spec_driver_handles_share_servers=False,
                                 extra_specs={"snapshot_support": "True",
                                              "mount_snapshot_support": "True",
                                              "provisioning:max_share_size": "5"})
        admin.share_types.create(PRIVATE, spec_driver_handles_share_servers=False,
                                 is_public=False)
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


def _share(mc: Any, **kw: Any) -> Any:
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1, **kw).id)
    assert share.status == "available"
    return share


def test_instances_are_for_administrators(clients: Callable[[str], Any]) -> None:
    member, reader, admin = clients("a-member"), clients("a-reader"), clients("a-admin")
    share = _share(member, share_type=TYPE)
    snap = member.share_snapshots.create(share)
    servers.wait_until(lambda: member.share_snapshots.get(snap.id).status == "available",
                       what="the snapshot")
    (inst,) = admin.shares.list_instances(share)
    (si,) = admin.share_snapshot_instances.list(snapshot=snap)
    assert admin.share_instances.get(inst.id).share_id == share.id
    for mc in (member, reader):
        _refused(api_exc.Forbidden, [
            lambda mc=mc: mc.share_instances.list(),
            lambda mc=mc: mc.shares.list_instances(share),
            lambda mc=mc: mc.share_instances.get(inst.id),
            lambda mc=mc: mc.share_instances.reset_state(inst, "error"),
            lambda mc=mc: mc.share_instances.force_delete(inst),
            lambda mc=mc: mc.share_instance_export_locations.list(inst),
            lambda mc=mc: mc.share_snapshot_instances.list(),
            lambda mc=mc: mc.share_snapshot_instances.get(si.id),
            lambda mc=mc: mc.share_snapshot_instances.reset_state(si, "error"),
            lambda mc=mc: mc.share_snapshot_instance_export_locations.list(si),
        ])
    assert admin.shares.get(share.id).status == "available"  # nothing was changed


def test_snapshot_access_by_persona_and_project(clients: Callable[[str], Any]) -> None:
    member, reader = clients("a-member"), clients("a-reader")
    other = clients("b-member")
    share = _share(member, share_type=TYPE)
    snap = member.share_snapshots.create(share)
    servers.wait_until(lambda: member.share_snapshots.get(snap.id).status == "available",
                       what="the snapshot")
    rule = member.share_snapshots.allow(snap, "ip", "198.18.0.9")
    servers.wait_until(lambda: [r.state for r in reader.share_snapshots.access_list(snap)]
                       == ["active"], what="the rule")
    assert [e.id for e in reader.share_snapshot_export_locations.list(snap)]
    _refused(api_exc.Forbidden, [
        lambda: reader.share_snapshots.allow(snap, "ip", "198.18.0.10"),
        lambda: reader.share_snapshots.deny(snap, rule["id"]),
    ])
    _refused(api_exc.NotFound, [  # another project's snapshot does not exist for B
        lambda: other.share_snapshots.access_list(snap),
        lambda: other.share_snapshots.allow(snap, "ip", "198.18.0.10"),
        lambda: other.share_snapshots.deny(snap, rule["id"]),
        lambda: other.share_snapshot_export_locations.list(snap),
    ])
    assert [r.access_to for r in member.share_snapshots.access_list(snap)] == ["198.18.0.9"]


def test_forced_extend_and_extending_past_the_maximum(clients: Callable[[str], Any]) -> None:
    member, admin = clients("a-member"), clients("a-admin")
    share = _share(member, share_type=TYPE)
    _refused(api_exc.Forbidden, [lambda: member.shares.extend(share, 2, force=True)])
    _refused(api_exc.BadRequest, [lambda: member.shares.extend(share, 6)])  # max 5
    assert member.shares.get(share.id).size == 1
    admin.shares.extend(share, 6, force=True)
    servers.wait_until(lambda: member.shares.get(share.id).size == 6, what="the extend")


def test_type_access_and_hints_across_projects(keystone: Keystone,
                                               clients: Callable[[str], Any]) -> None:
    admin, member, other = clients("a-admin"), clients("a-member"), clients("b-member")
    private = admin.share_types.find(name=PRIVATE)
    _refused(api_exc.Forbidden, [
        lambda: member.share_type_access.list(private),
        lambda: member.share_type_access.add_project_access(private, "x"),
    ])
    _refused(api_exc.NotFound, [lambda: other.shares.create("NFS", 1, share_type=PRIVATE)])
    admin.share_type_access.add_project_access(private, keystone.project_ids["project-b"])
    assert _share(other, share_type=PRIVATE).share_type == private.id

    anchor = _share(member)
    _refused(api_exc.NotFound, [lambda: other.shares.create(
        "NFS", 1, scheduler_hints={"same_host": anchor.id})])
    near = _share(member, scheduler_hints={"same_host": anchor.id})
    assert near.metadata == {"__affinity_same_host": anchor.id}
