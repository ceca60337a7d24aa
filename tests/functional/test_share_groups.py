"""Share groups, share group types and share group snapshots through python-manilaclient
(dummy backends): at 2.31 with the experimental header, at 2.55 (GA) and at 2.65."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers

BACKENDS = {
    # two pools, snapshots one share at a time (no native group support)
    "gone": servers.dummy_backend("a:100,b:100"),
    # reports consistent group snapshots per pool, in its own zone
    "gtwo": servers.dummy_backend("c:100", backend_availability_zone="zone-g",
                                  dummy_capabilities="sg_consistent_snapshot_support:pool"),
    # snapshots fail
    "gbad": servers.dummy_backend("f:100", dummy_fail_methods="create_snapshot"),
    # shares from snapshots fail
    "gclone": servers.dummy_backend("k:100", dummy_fail_methods="create_share_from_snapshot"),
    # native share groups (GroupSupport)
    "gnative": servers.dummy_backend("n:100", share_driver="dummy_groups"),
    "gnfail": servers.dummy_backend("m:100", share_driver="dummy_groups",
                                    dummy_fail_methods="create_share_group"),
    # slow shares from snapshots
    "gslow": servers.dummy_backend("s:100",
                                   dummy_method_delays="create_share_from_snapshot:2"),
}
VERSIONS = ["2.31", "2.55", "2.65"]
TOKEN = "admin:demo"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("groups")
    with servers.all_in_one(Path(tmp), BACKENDS,
                            default_share_group_type="default-group-type") as (url, proc):
        servers.wait_for_pools(url, 8)
        yield url
        log = proc.log.read_text(errors="replace")
    # the only tracebacks are the failures the "gbad" backend is configured for
    for block in log.split("Traceback (most recent call last):")[1:]:
        assert "DriverError: The dummy backend is configured to fail" in block, block[:3000]


def _type(mc: Any, backend: str) -> Any:
    """A share type (snapshots, clones) whose shares go to ``backend``."""
    name = f"on-{backend}"
    found = [t for t in mc.share_types.list() if t.name == name]
    if found:
        return found[0]
    return mc.share_types.create(name, spec_driver_handles_share_servers=False,
                                 extra_specs={"share_backend_name": backend,
                                              "snapshot_support": "True",
                                              "create_share_from_snapshot_support": "True"})


@pytest.fixture(scope="module")
def types(endpoint: str) -> dict[str, Any]:
    mc = servers.manila(endpoint, "2.55")
    found = {b: _type(mc, b) for b in BACKENDS}
    found["nowhere"] = _type(mc, "nowhere")
    mc.share_group_types.create("default-group-type", [found["gone"].id])
    return found


def _group_type(mc: Any, share_types: list[Any], **specs: str) -> Any:
    return mc.share_group_types.create(f"gt-{uuid.uuid4().hex[:8]}",
                                       [t.id for t in share_types], is_public=True,
                                       group_specs=specs)


def _wait_group(mc: Any, group_id: str, timeout: float = 30) -> Any:
    def done() -> Any:
        group = mc.share_groups.get(group_id)
        return group if group.status not in ("creating", "deleting") else None

    return servers.wait_until(done, timeout=timeout, what=f"share group {group_id}")


def _wait_snapshot(mc: Any, snap_id: str) -> Any:
    def done() -> Any:
        snap = mc.share_group_snapshots.get(snap_id)
        return snap if snap.status not in ("creating", "deleting") else None

    return servers.wait_until(done, what=f"share group snapshot {snap_id}")


def _delete_group(mc: Any, group: Any) -> None:
    mc.share_groups.delete(group)
    servers.wait_until(lambda: _gone(mc.share_groups.get, group.id), what="group deleted")


def _gone(get: Any, ident: str) -> bool:
    try:
        get(ident)
    except api_exc.NotFound:
        return True
    return False


def _raw(endpoint: str, method: str, path: str, version: str, *, experimental: bool = False,
         token: str = TOKEN, **kw: Any) -> requests.Response:
    headers = {"X-Auth-Token": token, "X-OpenStack-Manila-API-Version": version}
    if experimental:
        headers["X-OpenStack-Manila-API-Experimental"] = "true"
    return requests.request(method, f"{endpoint}/v2{path}", headers=headers, timeout=10, **kw)


# group types ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_group_type_lifecycle(endpoint: str, types: dict[str, Any], version: str) -> None:
    mc = servers.manila(endpoint, version)
    gt = _group_type(mc, [types["gone"], types["gtwo"]], consistent_snapshot_support="host")
    assert sorted(gt.share_types) == sorted([types["gone"].id, types["gtwo"].id])
    assert gt.group_specs == {"consistent_snapshot_support": "host"}
    assert gt.id in {t.id for t in mc.share_group_types.list()}
    assert mc.share_group_types.get(gt.id).name == gt.name
    assert mc.share_group_types.get().name == "default-group-type"  # the default

    gt.set_keys({"vendor": "x"})
    assert mc.share_group_types.get(gt.id).get_keys(prefer_resource_data=False) == {
        "consistent_snapshot_support": "host", "vendor": "x"}
    gt.unset_keys(["vendor"])
    assert "vendor" not in mc.share_group_types.get(gt.id).get_keys(
        prefer_resource_data=False)

    # a share type a group type holds stays
    st = mc.share_types.create(f"held-{version}", spec_driver_handles_share_servers=False)
    holder = _group_type(mc, [st])
    with pytest.raises(api_exc.BadRequest):
        mc.share_types.delete(st)
    mc.share_group_types.delete(holder)
    mc.share_types.delete(st)

    mc.share_group_types.delete(gt)
    assert _gone(mc.share_group_types.get, gt.id)


def test_private_group_type_access(endpoint: str, types: dict[str, Any]) -> None:
    mc = servers.manila(endpoint, "2.55")
    gt = mc.share_group_types.create("private-gt", [types["gone"].id], is_public=False)
    assert not mc.share_group_types.get(gt.id).is_public
    mc.share_group_type_access.add_project_access(gt, "otherproject")
    assert [a.project_id for a in mc.share_group_type_access.list(gt)] == ["otherproject"]
    with pytest.raises(api_exc.Conflict):
        mc.share_group_type_access.add_project_access(gt, "otherproject")
    mc.share_group_type_access.remove_project_access(gt, "otherproject")
    assert mc.share_group_type_access.list(gt) == []
    mc.share_group_types.delete(gt)


@pytest.mark.parametrize("body", [
    {"name": "no-types"},
    {"name": "empty-types", "share_types": []},
    {"name": "bad-spec", "share_types": ["on-gone"],
     "group_specs": {"consistent_snapshot_support": "always"}},
    {"name": "bad-field", "share_types": ["on-gone"], "colour": "red"},
    {"name": "", "share_types": ["on-gone"]},
    {"name": "unknown-type", "share_types": [str(uuid.uuid4())]},
])
def test_bad_group_types_are_refused_and_nothing_written(
        endpoint: str, types: dict[str, Any], body: dict[str, Any]) -> None:
    before = _raw(endpoint, "GET", "/share-group-types?is_public=all", "2.55").json()
    resp = _raw(endpoint, "POST", "/share-group-types", "2.55",
                json={"share_group_type": body})
    assert resp.status_code in (400, 404), resp.text
    assert set(resp.json()) <= {"badRequest", "itemNotFound"}
    after = _raw(endpoint, "GET", "/share-group-types?is_public=all", "2.55").json()
    assert after == before


# the experimental header --------------------------------------------------------------


@pytest.mark.parametrize(("version", "experimental", "status"), [
    ("2.30", True, 404), ("2.31", False, 404), ("2.54", False, 404),
    ("2.31", True, 200), ("2.54", True, 200), ("2.55", False, 200), ("2.65", False, 200)])
def test_experimental_header_is_needed_before_2_55(endpoint: str, version: str,
                                                   experimental: bool, status: int) -> None:
    for path in ("/share-groups", "/share-group-types", "/share-group-snapshots"):
        resp = _raw(endpoint, "GET", path, version, experimental=experimental)
        assert resp.status_code == status, (path, resp.text)
        if status == 404:
            assert "itemNotFound" in resp.json()
        elif version < "2.55":  # an experimental answer says so
            assert resp.headers["X-OpenStack-Manila-API-Experimental"] == "true"
        else:
            assert "X-OpenStack-Manila-API-Experimental" not in resp.headers


# groups, shares in groups, group snapshots ----------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_group_lifecycle_with_shares_and_snapshots(endpoint: str, types: dict[str, Any],
                                                   version: str) -> None:
    mc = servers.manila(endpoint, version)
    gt = _group_type(mc, [types["gone"]])
    group = mc.share_groups.create(share_group_type=gt.id, share_types=[types["gone"].id],
                                   name="g1", description="first")
    group = _wait_group(mc, group.id)
    assert group.status == "available"
    assert group.host.startswith("testhost@gone#")
    assert group.share_types == [types["gone"].id]

    mc.share_groups.update(group, name="renamed")
    assert mc.share_groups.get(group.id).name == "renamed"
    assert group.id in {g.id for g in mc.share_groups.list(search_opts={"name": "renamed"})}

    shares = [servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=types["gone"].id, share_group_id=group.id).id) for _ in range(2)]
    for share in shares:
        assert share.status == "available"
        assert share.share_group_id == group.id
        assert share.host.startswith("testhost@gone#")
    listed = mc.shares.list(search_opts={"share_group_id": group.id})
    assert {s.id for s in listed} == {s.id for s in shares}

    # a share type the group does not hold
    with pytest.raises(api_exc.BadRequest):
        mc.shares.create("NFS", 1, share_type=types["gtwo"].id, share_group_id=group.id)
    # a group with shares cannot go
    with pytest.raises(api_exc.Conflict):
        mc.share_groups.delete(group)

    snap = mc.share_group_snapshots.create(group, name="gs1")
    snap = _wait_snapshot(mc, snap.id)
    assert snap.status == "available"
    assert sorted(m["share_id"] for m in snap.members) == sorted(s.id for s in shares)
    members = _raw(endpoint, "GET", f"/share-group-snapshots/{snap.id}/members", "2.55")
    assert {m["share_id"] for m in members.json()["share_group_snapshot_members"]} == {
        s.id for s in shares}

    # a share held by a group snapshot stays; one named without its group too
    with pytest.raises(api_exc.BadRequest):
        mc.shares.delete(shares[0])
    with pytest.raises(api_exc.Forbidden):
        mc.shares.delete(shares[0], share_group_id=group.id)

    # a group from the snapshot: one new share per member, on the source's pool
    clone = mc.share_groups.create(source_share_group_snapshot=snap.id, name="clone")
    clone = _wait_group(mc, clone.id)
    assert clone.status == "available"
    assert clone.source_share_group_snapshot_id == snap.id
    assert clone.host == group.host
    copies = mc.shares.list(search_opts={"share_group_id": clone.id})
    assert len(copies) == 2
    member_ids = {m["id"] for m in snap.members}
    by_source = {s.host for s in shares}
    for copy in copies:
        copy = mc.shares.get(copy.id)
        assert copy.status == "available"
        assert copy.source_share_group_snapshot_member_id in member_ids
        assert copy.host in by_source

    # a snapshot with a group made from it goes; then the shares and the groups
    mc.share_group_snapshots.delete(snap)
    servers.wait_until(lambda: _gone(mc.share_group_snapshots.get, snap.id),
                       what="group snapshot deleted")
    for share in [*shares, *copies]:
        mc.shares.delete(share, share_group_id=share.share_group_id)
    for share in [*shares, *copies]:
        servers.wait_until(lambda s=share: _gone(mc.shares.get, s.id), what="share deleted")
    for g in (group, clone):
        _delete_group(mc, g)


def test_group_with_consistent_snapshots_goes_to_a_pool_that_reports_them(
        endpoint: str, types: dict[str, Any]) -> None:
    mc = servers.manila(endpoint, "2.65")
    gt = _group_type(mc, [types["gone"], types["gtwo"]], consistent_snapshot_support="pool")
    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["gtwo"].id]).id)
    assert group.status == "available"
    assert group.host == "testhost@gtwo#c"
    assert group.availability_zone == "zone-g"
    share = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=types["gtwo"].id, share_group_id=group.id).id)
    assert share.host == "testhost@gtwo#c" and share.availability_zone == "zone-g"
    mc.shares.delete(share, share_group_id=group.id)
    servers.wait_until(lambda: _gone(mc.shares.get, share.id), what="share deleted")
    _delete_group(mc, group)


def test_no_backend_for_the_group_gives_error_and_a_message(endpoint: str,
                                                            types: dict[str, Any]) -> None:
    mc = servers.manila(endpoint, "2.55")
    gt = _group_type(mc, [types["nowhere"]])
    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["nowhere"].id]).id)
    assert group.status == "error"
    assert any(m.resource_id == group.id and m.detail_id == "050"
               for m in servers.manila(endpoint, "2.55").messages.list())
    _delete_group(mc, group)


def test_failed_group_snapshot_gives_error_and_a_message(endpoint: str,
                                                         types: dict[str, Any]) -> None:
    mc = servers.manila(endpoint, "2.55")
    gt = _group_type(mc, [types["gbad"]])
    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["gbad"].id]).id)
    assert group.status == "available"
    share = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=types["gbad"].id, share_group_id=group.id).id)
    snap = _wait_snapshot(mc, mc.share_group_snapshots.create(group).id)
    assert snap.status == "error"
    assert any(m.resource_id == snap.id and m.detail_id == "052"
               for m in mc.messages.list())
    # an error snapshot can be deleted, then the share and the group
    mc.share_group_snapshots.delete(snap)
    servers.wait_until(lambda: _gone(mc.share_group_snapshots.get, snap.id),
                       what="group snapshot deleted")
    mc.shares.delete(share, share_group_id=group.id)
    servers.wait_until(lambda: _gone(mc.shares.get, share.id), what="share deleted")
    _delete_group(mc, group)


def test_admin_reset_status_and_force_delete(endpoint: str, types: dict[str, Any]) -> None:
    mc = servers.manila(endpoint, "2.55")
    gt = _group_type(mc, [types["gone"]])
    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["gone"].id]).id)
    share = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=types["gone"].id, share_group_id=group.id).id)
    snap = _wait_snapshot(mc, mc.share_group_snapshots.create(group).id)
    mc.share_group_snapshots.reset_state(snap, "error")
    assert mc.share_group_snapshots.get(snap.id).status == "error"
    mc.share_groups.reset_state(group, "error")
    assert mc.share_groups.get(group.id).status == "error"
    with pytest.raises(api_exc.BadRequest):
        mc.share_groups.reset_state(group, "sideways")
    for bad in ([], {"status": ["error"]}, {"status": None}, "error"):
        resp = _raw(endpoint, "POST", f"/share-groups/{group.id}/action", "2.55",
                    json={"reset_status": bad})
        assert resp.status_code == 400 and "badRequest" in resp.json(), resp.text
    resp = _raw(endpoint, "POST", f"/share-groups/{group.id}/action", "2.55",
                json={"reset_status": {"status": "available"}, "force_delete": None})
    assert resp.status_code == 400
    assert mc.share_groups.get(group.id).status == "error"
    mc.share_groups.delete(group, force=True)
    assert _gone(mc.share_groups.get, group.id)
    assert _gone(mc.share_group_snapshots.get, snap.id)
    servers.wait_until(lambda: _gone(mc.shares.get, share.id), what="share force-deleted")


def test_other_projects_do_not_list_a_group(endpoint: str, types: dict[str, Any]) -> None:
    # (noauth makes every caller an admin; tests/functional/test_keystone_rbac.py has the
    # personas: here only the project scoping of lists is checked)
    mc = servers.manila(endpoint, "2.55")
    gt = _group_type(mc, [types["gone"]])
    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["gone"].id]).id)
    listed = _raw(endpoint, "GET", "/share-groups", "2.55", token="someone:otherproject")
    assert group.id not in {g["id"] for g in listed.json()["share_groups"]}
    everyone = _raw(endpoint, "GET", "/share-groups?all_tenants=1", "2.55",
                    token="someone:otherproject")
    assert group.id in {g["id"] for g in everyone.json()["share_groups"]}
    _delete_group(mc, group)


@pytest.mark.parametrize("body", [
    {"share_types": "on-gone"},
    {"share_types": [7]},
    {"unknown_field": 1},
    {"share_group_type_id": "not a uuid!"},
    {"share_group_type_id": str(uuid.uuid4())},
    {"share_types": ["on-gtwo"]},  # not in the default group type
    {"share_types": [str(uuid.uuid4())]},
    {"source_share_group_snapshot_id": str(uuid.uuid4())},
    {"source_share_group_snapshot_id": str(uuid.uuid4()), "share_types": ["on-gone"]},
    {"name": "x" * 300},
    {"name": "bad\nname"},
])
def test_bad_groups_are_refused_and_nothing_written(endpoint: str, types: dict[str, Any],
                                                    body: dict[str, Any]) -> None:
    before = _raw(endpoint, "GET", "/share-groups?all_tenants=1", "2.55").json()
    resp = _raw(endpoint, "POST", "/share-groups", "2.55", json={"share_group": body})
    assert resp.status_code == 400, resp.text
    assert "badRequest" in resp.json()
    assert _raw(endpoint, "GET", "/share-groups?all_tenants=1", "2.55").json() == before


def test_bad_group_snapshots_are_refused(endpoint: str, types: dict[str, Any]) -> None:
    before = _raw(endpoint, "GET", "/share-group-snapshots", "2.55").json()
    for body, status in (({"share_group_id": str(uuid.uuid4())}, 400),
                         ({}, 400), ({"share_group_id": "x", "colour": 1}, 400)):
        resp = _raw(endpoint, "POST", "/share-group-snapshots", "2.55",
                    json={"share_group_snapshot": body})
        assert resp.status_code == status, resp.text
    assert _raw(endpoint, "GET", "/share-group-snapshots", "2.55").json() == before


def test_share_group_quotas(endpoint: str, types: dict[str, Any]) -> None:
    project = f"q{uuid.uuid4().hex[:8]}"
    admin = servers.manila(endpoint, "2.55")
    admin.quotas.update(project, share_groups=1, share_group_snapshots=1)
    mc = servers.manila(endpoint, "2.55", token=f"admin:{project}")
    gt = _group_type(admin, [types["gone"]])

    def usage() -> dict[str, int]:
        detail = _raw(endpoint, "GET", f"/quota-sets/{project}/detail", "2.55").json()
        return {k: detail["quota_set"][k]["in_use"]
                for k in ("share_groups", "share_group_snapshots")}

    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["gone"].id]).id)
    with pytest.raises(api_exc.RequestEntityTooLarge):
        mc.share_groups.create(share_group_type=gt.id, share_types=[types["gone"].id])
    share = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=types["gone"].id, share_group_id=group.id).id)
    snap = _wait_snapshot(mc, mc.share_group_snapshots.create(group).id)
    with pytest.raises(api_exc.RequestEntityTooLarge):
        mc.share_group_snapshots.create(group)
    assert usage() == {"share_groups": 1, "share_group_snapshots": 1}
    assert len(mc.share_groups.list()) == 1 and len(mc.share_group_snapshots.list()) == 1

    # a group from the snapshot needs room for its shares too
    admin.quotas.update(project, share_groups=2, shares=1)
    with pytest.raises(api_exc.RequestEntityTooLarge):
        mc.share_groups.create(source_share_group_snapshot=snap.id)
    assert len(mc.share_groups.list()) == 1 and len(mc.shares.list()) == 1
    assert usage() == {"share_groups": 1, "share_group_snapshots": 1}
    admin.quotas.update(project, share_groups=1, shares=50)

    mc.share_group_snapshots.delete(snap)
    servers.wait_until(lambda: _gone(mc.share_group_snapshots.get, snap.id),
                       what="group snapshot deleted")
    mc.shares.delete(share, share_group_id=group.id)
    servers.wait_until(lambda: _gone(mc.shares.get, share.id), what="share deleted")
    _delete_group(mc, group)
    assert usage() == {"share_groups": 0, "share_group_snapshots": 0}
    # the quota is free again
    _delete_group(mc, _wait_group(mc, mc.share_groups.create(
        share_group_type=gt.id, share_types=[types["gone"].id]).id))


def test_failed_group_from_snapshot_gives_errors_and_messages(endpoint: str,
                                                              types: dict[str, Any]) -> None:
    mc = servers.manila(endpoint, "2.55")
    gt = _group_type(mc, [types["gclone"]])
    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["gclone"].id]).id)
    share = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=types["gclone"].id, share_group_id=group.id).id)
    snap = _wait_snapshot(mc, mc.share_group_snapshots.create(group).id)
    assert snap.status == "available"
    clone = _wait_group(mc, mc.share_groups.create(source_share_group_snapshot=snap.id).id)
    assert clone.status == "error"
    (copy,) = mc.shares.list(search_opts={"share_group_id": clone.id})
    assert mc.shares.get(copy.id).status == "error"
    messages = {(m.resource_id, m.detail_id) for m in mc.messages.list()}
    assert (clone.id, "051") in messages and (copy.id, "015") in messages

    mc.shares.delete(copy, share_group_id=clone.id)
    servers.wait_until(lambda: _gone(mc.shares.get, copy.id), what="copy deleted")
    _delete_group(mc, clone)
    mc.share_group_snapshots.delete(snap)
    servers.wait_until(lambda: _gone(mc.share_group_snapshots.get, snap.id),
                       what="group snapshot deleted")
    mc.shares.delete(share, share_group_id=group.id)
    servers.wait_until(lambda: _gone(mc.shares.get, share.id), what="share deleted")
    _delete_group(mc, group)


def test_native_group_support(endpoint: str, types: dict[str, Any]) -> None:
    mc = servers.manila(endpoint, "2.65")
    gt = _group_type(mc, [types["gnative"], types["gone"]], consistent_snapshot_support="pool")
    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["gnative"].id]).id)
    assert group.status == "available"
    assert group.host == "testhost@gnative#n"
    assert group.consistent_snapshot_support == "pool"
    shares = [servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=types["gnative"].id, share_group_id=group.id).id)
        for _ in range(2)]
    assert all(s.status == "available" and s.host == group.host for s in shares)
    snap = _wait_snapshot(mc, mc.share_group_snapshots.create(group).id)
    assert snap.status == "available" and len(snap.members) == 2
    clone = _wait_group(mc, mc.share_groups.create(source_share_group_snapshot=snap.id).id)
    assert clone.status == "available" and clone.share_group_type_id == gt.id
    copies = mc.shares.list(search_opts={"share_group_id": clone.id})
    assert len(copies) == 2 and all(mc.shares.get(c.id).status == "available"
                                    for c in copies)
    mc.share_group_snapshots.delete(snap)
    servers.wait_until(lambda: _gone(mc.share_group_snapshots.get, snap.id),
                       what="group snapshot deleted")
    for share in [*copies, *shares]:
        mc.shares.delete(share, share_group_id=share.share_group_id)
        servers.wait_until(lambda s=share: _gone(mc.shares.get, s.id), what="share deleted")
    _delete_group(mc, clone)
    _delete_group(mc, group)


def test_native_group_create_failure(endpoint: str, types: dict[str, Any]) -> None:
    mc = servers.manila(endpoint, "2.55")
    gt = _group_type(mc, [types["gnfail"]])
    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["gnfail"].id]).id)
    assert group.status == "error"
    assert any(m.resource_id == group.id and m.detail_id == "051"
               for m in mc.messages.list())
    _delete_group(mc, group)


def test_a_group_snapshot_stays_while_a_group_is_made_from_it(endpoint: str,
                                                             types: dict[str, Any]) -> None:
    mc = servers.manila(endpoint, "2.55")
    gt = _group_type(mc, [types["gslow"]])
    group = _wait_group(mc, mc.share_groups.create(share_group_type=gt.id,
                                                   share_types=[types["gslow"].id]).id)
    share = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=types["gslow"].id, share_group_id=group.id).id)
    snap = _wait_snapshot(mc, mc.share_group_snapshots.create(group).id)
    clone = mc.share_groups.create(source_share_group_snapshot=snap.id)
    with pytest.raises(api_exc.Conflict):
        mc.share_group_snapshots.delete(snap)
    assert _wait_group(mc, clone.id).status == "available"
    (copy,) = mc.shares.list(search_opts={"share_group_id": clone.id})
    mc.share_group_snapshots.delete(snap)
    servers.wait_until(lambda: _gone(mc.share_group_snapshots.get, snap.id),
                       what="group snapshot deleted")
    for s, g in ((copy, clone), (share, group)):
        mc.shares.delete(s, share_group_id=g.id)
        servers.wait_until(lambda s=s: _gone(mc.shares.get, s.id), what="share deleted")
        _delete_group(mc, g)
