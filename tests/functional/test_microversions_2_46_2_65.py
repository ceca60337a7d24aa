"""Microversions 2.46-2.65 on existing resources, share and snapshot instances, and
placement of clones and of shares with scheduler hints, through python-manilaclient
against an all-in-one with three dummy backends of different capabilities, capacities
and availability zones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from manilaclient import exceptions as mc_exc

from tests.fixtures import servers

BACKENDS = {
    # two pools, zone-a; clones wait 1.5 s so their status can be seen
    "near": servers.dummy_backend("p1:100,p2:100", dummy_capabilities="disk_type:ssd",
                                  backend_availability_zone="zone-a",
                                  reserved_share_from_snapshot_percentage=20,
                                  dummy_method_delays="create_share_from_snapshot:1.5"),
    # the largest: wins every plain ssd placement on free space
    "far": servers.dummy_backend("p:1000", dummy_capabilities="disk_type:ssd",
                                 backend_availability_zone="zone-b"),
    # small hdd pool, zone-c: extend checks
    "small": servers.dummy_backend("p:10", dummy_capabilities="disk_type:hdd",
                                   backend_availability_zone="zone-c"),
}
SNAP_SPECS = {"snapshot_support": "True", "create_share_from_snapshot_support": "True"}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("mv265")
    unlimited = {"quota": {"shares": -1, "gigabytes": -1, "snapshots": -1,
                           "snapshot_gigabytes": -1}}
    with servers.all_in_one(tmp, BACKENDS, unlimited) as (url, proc):
        servers.wait_for_pools(url, 4)
        client = servers.manila(url, "2.65")
        for name, specs in {
            "ssd": {"disk_type": "ssd", **SNAP_SPECS},
            "ssd-a": {"disk_type": "ssd", "availability_zones": "zone-a", **SNAP_SPECS},
            "hdd": {"disk_type": "hdd"},
            "mountable": {"disk_type": "ssd", "mount_snapshot_support": "True",
                          **SNAP_SPECS},
        }.items():
            client.share_types.create(name, spec_driver_handles_share_servers=False,
                                      extra_specs=specs)
        yield url
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture
def mc(endpoint: str) -> Any:
    return servers.manila(endpoint, "2.65")


def _api(endpoint: str, method: str, path: str, version: str = "2.65",
         **kw: Any) -> requests.Response:
    return requests.request(method, f"{endpoint}/v2{path}", timeout=10, **kw,
                            headers={"X-Auth-Token": "admin:demo",
                                     "X-OpenStack-Manila-API-Version": version})


def _share(mc: Any, size: int = 1, share_type: str = "ssd", **kw: Any) -> Any:
    share = servers.wait_for_status(mc, mc.shares.create("NFS", size, share_type=share_type,
                                                         **kw).id)
    assert share.status == "available", share.status
    return share


def _share_count(mc: Any) -> int:
    return len(mc.shares.list(search_opts={"all_tenants": 1}))


# share instances -----------------------------------------------------------------------


def test_share_instances_list_show_export_locations_and_actions(endpoint: str,
                                                                mc: Any) -> None:
    in_use = _shares_in_use(mc)
    share = _share(mc)
    assert _shares_in_use(mc) == in_use + 1
    (inst,) = mc.shares.list_instances(share)
    assert inst.share_id == share.id and inst.host == share.host
    assert inst.status == "available" and inst.progress == "100%"
    assert inst.share_type_id == share.share_type
    assert inst.cast_rules_to_readonly is False
    assert inst.id in {i.id for i in mc.share_instances.list()}
    assert mc.share_instances.get(inst.id).availability_zone == "zone-b"

    (el,) = mc.share_instance_export_locations.list(inst)
    assert el.share_instance_id == inst.id and el.path.endswith(f"share-{inst.id}")
    assert mc.share_instance_export_locations.get(inst, el.id).path == el.path
    # filter by export location (2.35): by id and by path
    assert [i.id for i in mc.share_instances.list(export_location=el.id)] == [inst.id]
    assert [i.id for i in mc.share_instances.list(export_location=el.path)] == [inst.id]

    mc.share_instances.reset_state(inst, "error")
    assert mc.shares.get(share.id).status == "error"
    bad = _api(endpoint, "POST", f"/share_instances/{inst.id}/action",
               json={"reset_status": {"status": "x"}})
    assert bad.status_code == 400 and "badRequest" in bad.json()
    mc.share_instances.force_delete(inst)
    servers.wait_until(lambda: share.id not in {s.id for s in mc.shares.list()},
                       what="the share to go with its last instance")
    servers.wait_until(lambda: _shares_in_use(mc) == in_use, what="the quota usage")


def _shares_in_use(mc: Any) -> int:
    return int(mc.quotas.get("demo", detail=True).shares["in_use"])


def test_share_instances_need_2_3_and_legacy_action_names(endpoint: str, mc: Any) -> None:
    share = _share(mc)
    assert _api(endpoint, "GET", "/share_instances", "2.2").status_code == 404
    (inst,) = _api(endpoint, "GET", f"/shares/{share.id}/instances",
                   "2.6").json()["share_instances"]
    assert "export_locations" in inst  # before 2.9
    resp = _api(endpoint, "POST", f"/share_instances/{inst['id']}/action", "2.6",
                json={"os-reset_status": {"status": "error"}})
    assert resp.status_code == 202
    assert mc.shares.get(share.id).status == "error"
    resp = _api(endpoint, "POST", f"/share_instances/{inst['id']}/action", "2.6",
                json={"reset_status": {"status": "available"}})
    assert resp.status_code == 400
    assert _api(endpoint, "GET", "/share_instances/nope").status_code == 404


# snapshot instances and mountable snapshots ----------------------------------------


def test_snapshot_instances_and_snapshot_access(endpoint: str, mc: Any) -> None:
    share = _share(mc)
    snap = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="the snapshot")
    (si,) = mc.share_snapshot_instances.list(detailed=True, snapshot=snap)
    assert si.snapshot_id == snap.id and si.share_id == share.id
    assert si.share_instance_id == mc.shares.list_instances(share)[0].id
    assert si.status == "available" and si.progress == "100%"
    assert mc.share_snapshot_instances.get(si.id).provider_location
    assert mc.share_snapshot_instance_export_locations.list(si) == []  # not mountable
    assert mc.share_snapshot_export_locations.list(snap) == []

    mc.share_snapshot_instances.reset_state(si, "error")
    assert mc.share_snapshots.get(snap.id).status == "error"
    mc.share_snapshot_instances.reset_state(si, "available")
    bad = _api(endpoint, "POST", f"/snapshot-instances/{si.id}/action",
               json={"reset_status": {"status": "melted"}})
    assert bad.status_code == 400
    assert mc.share_snapshots.get(snap.id).status == "available"

    # The share type lacks mount_snapshot_support: 400, as Manila.
    with pytest.raises(mc_exc.BadRequest, match="mount_snapshot_support"):
        mc.share_snapshots.access_list(snap)
    with pytest.raises(mc_exc.BadRequest):
        mc.share_snapshots.allow(snap, "ip", "198.18.0.1")
    assert _api(endpoint, "GET", f"/snapshots/{snap.id}/access-list",
                "2.31").status_code == 404


def test_mountable_snapshots_are_exported_with_read_only_rules(endpoint: str,
                                                                mc: Any) -> None:
    share = _share(mc, share_type="mountable")
    assert share.mount_snapshot_support is True
    snap = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="the snapshot")
    (el,) = mc.share_snapshot_export_locations.list(snap)
    assert el.path.endswith(f"share-snapshot-{snap.id}") and el.is_admin_only is False
    assert mc.share_snapshot_export_locations.get(el.id, snap).path == el.path
    (si,) = mc.share_snapshot_instances.list(snapshot=snap)
    assert [e.id for e in mc.share_snapshot_instance_export_locations.list(si)] == [el.id]
    assert mc.share_snapshots.access_list(snap) == []

    rule = mc.share_snapshots.allow(snap, "ip", "198.18.0.7")
    assert (rule["access_to"], rule["state"]) == ("198.18.0.7", "queued_to_apply")

    def states() -> dict[str, str]:
        return {r.access_to: r.state for r in mc.share_snapshots.access_list(snap)}

    servers.wait_until(lambda: states() == {"198.18.0.7": "active"}, what="the rule")
    with pytest.raises(mc_exc.BadRequest, match="exists"):
        mc.share_snapshots.allow(snap, "ip", "198.18.0.7")
    for access_type, access_to in (("ip", "198.18.0.300"), ("ip", "a;b"),
                                   ("cephx", "alice"), ("user", "-x")):
        with pytest.raises(mc_exc.BadRequest):
            mc.share_snapshots.allow(snap, access_type, access_to)
    # NFS snapshots take ip rules only: the backend refuses a user rule
    mc.share_snapshots.allow(snap, "user", "alice")
    servers.wait_until(lambda: states().get("alice") == "error", what="the refused rule")
    assert any(m.resource_id == snap.id and m.detail_id == "019"
               for m in mc.messages.list())
    for r in mc.share_snapshots.access_list(snap):
        mc.share_snapshots.deny(snap, r.id)
    servers.wait_until(lambda: states() == {}, what="the rules to go")
    with pytest.raises(mc_exc.NotFound):
        mc.share_snapshots.deny(snap, rule["id"])
    # before 2.32 there are no snapshot export locations
    assert _api(endpoint, "GET", f"/snapshots/{snap.id}/export-locations",
                "2.31").status_code == 404
    mc.share_snapshots.delete(snap)
    servers.wait_until(lambda: snap.id not in {s.id for s in mc.share_snapshots.list()},
                       what="the snapshot to go")
    assert _api(endpoint, "GET",
                f"/snapshots/{snap.id}/export-locations").status_code == 404


# share types ----------------------------------------------------------------------------


def test_share_type_zones_and_size_specs_are_validated(endpoint: str, mc: Any) -> None:
    st = mc.share_types.create("zoned", spec_driver_handles_share_servers=False,
                               extra_specs={"availability_zones": " zone-a , zone-b "})
    assert st.extra_specs["availability_zones"] == "zone-a,zone-b"
    for specs in ({"availability_zones": "zone-a,,zone-b"},
                  {"provisioning:max_share_size": "0"},
                  {"provisioning:min_share_size": "big"},
                  {"provisioning:min_share_size": "5", "provisioning:max_share_size": "2"}):
        with pytest.raises(mc_exc.BadRequest):
            mc.share_types.create("refused", spec_driver_handles_share_servers=False,
                                  extra_specs=specs)
    assert "refused" not in {t.name for t in mc.share_types.list()}


def test_share_size_limits_of_the_type(mc: Any) -> None:
    limited = mc.share_types.create("limited", spec_driver_handles_share_servers=False,
                                    extra_specs={"disk_type": "ssd",
                                                 "provisioning:min_share_size": "2",
                                                 "provisioning:max_share_size": "5"})
    # a max below the type's min is refused on a later update too
    with pytest.raises(mc_exc.BadRequest):
        limited.set_keys({"provisioning:max_share_size": "1"})
    assert mc.share_types.get(limited.id).extra_specs["provisioning:max_share_size"] == "5"
    before = _share_count(mc)
    for size in (1, 6):
        with pytest.raises(mc_exc.BadRequest, match="share type 'limited'"):
            mc.shares.create("NFS", size, share_type="limited")
    assert _share_count(mc) == before
    share = _share(mc, 3, "limited")
    with pytest.raises(mc_exc.BadRequest, match="minimum"):
        mc.shares.shrink(share, 1)
    assert mc.shares.get(share.id).size == 3
    # an administrator may extend past the maximum (share:extend_beyond_max_share_size_spec)
    mc.shares.extend(share, 7)
    servers.wait_until(lambda: mc.shares.get(share.id).size == 7, what="the extend")


def test_managed_shares_must_fit_the_type_limits(mc: Any) -> None:
    mc.share_types.create("limited-m", spec_driver_handles_share_servers=False,
                          extra_specs={"provisioning:max_share_size": "5"})
    refused = mc.shares.manage(service_host="testhost@far#p", protocol="NFS",
                               export_path="198.18.0.10:/existing/big", share_type="limited-m",
                               driver_options={"size": "6"})
    refused = servers.wait_for_status(mc, refused.id, ("manage_error",))
    assert refused.status == "manage_error"
    assert [m.detail_id for m in mc.messages.list() if m.resource_id == refused.id] == ["025"]
    fits = mc.shares.manage(service_host="testhost@far#p", protocol="NFS",
                            export_path="198.18.0.10:/existing/small",
                            share_type="limited-m", driver_options={"size": "5"})
    fits = servers.wait_for_status(mc, fits.id)
    assert (fits.status, fits.size) == ("available", 5)


def test_type_zones_bind_the_requested_zone_and_urls_need_no_project(endpoint: str,
                                                                      mc: Any) -> None:
    before = _share_count(mc)
    with pytest.raises(mc_exc.BadRequest, match="availability zone chosen zone-b"):
        mc.shares.create("NFS", 1, share_type="ssd-a", availability_zone="zone-b")
    assert _share_count(mc) == before
    # 2.60: the project id in URLs is optional, both forms answer the same
    with_project = _api(endpoint, "GET", "/demo/share_instances").json()
    without = _api(endpoint, "GET", "/share_instances").json()
    assert with_project == without and without["share_instances"]


def test_share_type_update_default_and_project_access(endpoint: str, mc: Any) -> None:
    st = mc.share_types.create("private-one", spec_driver_handles_share_servers=False,
                               is_public=False)
    assert st.is_default is False
    assert mc.share_types.get("default").is_default is True  # [DEFAULT] default_share_type
    st.update(name="private-two", description="renamed")
    got = mc.share_types.get(st.id)
    assert (got.name, got.description) == ("private-two", "renamed")

    assert mc.share_type_access.list(st) == []
    mc.share_type_access.add_project_access(st, "tenant-1")
    assert [a.project_id for a in mc.share_type_access.list(st)] == ["tenant-1"]
    with pytest.raises(mc_exc.Conflict):
        mc.share_type_access.add_project_access(st, "tenant-1")
    mc.share_type_access.remove_project_access(st, "tenant-1")
    with pytest.raises(mc_exc.NotFound):
        mc.share_type_access.remove_project_access(st, "tenant-1")
    assert mc.share_type_access.list(st) == []
    legacy = _api(endpoint, "GET", f"/types/{st.id}/os-share-type-access", "2.6")
    assert legacy.status_code == 200 and legacy.json() == {"share_type_access": []}
    public = mc.share_types.find(name="ssd")
    assert mc.share_type_access.list(public) is None  # the client does not even ask
    assert _api(endpoint, "GET", f"/types/{public.id}/share_type_access").status_code == 404
    with pytest.raises(mc_exc.Conflict):
        mc.share_type_access.add_project_access(public, "tenant-1")
    bad = _api(endpoint, "POST", f"/types/{st.id}/action",
               json={"addProjectAccess": {"project": ""}})
    assert bad.status_code == 400


# messages --------------------------------------------------------------------------------


def test_messages_created_since_and_before(mc: Any) -> None:
    failed = servers.wait_for_status(mc, mc.shares.create("NFS", 5000, share_type="hdd").id)
    assert failed.status == "error"
    now = datetime.now(UTC).replace(tzinfo=None)
    ours = [m for m in mc.messages.list() if m.resource_id == failed.id]
    assert ours
    since = (now - timedelta(minutes=5)).isoformat()
    later = (now + timedelta(minutes=5)).isoformat()
    assert failed.id in {m.resource_id for m in mc.messages.list(
        search_opts={"created_since": since, "created_before": later})}
    assert failed.id not in {m.resource_id for m in mc.messages.list(
        search_opts={"created_since": later})}


# forced extend (2.64) --------------------------------------------------------------------


def test_forced_extend_skips_the_capacity_check(endpoint: str, mc: Any) -> None:
    share = _share(mc, 8, "hdd")
    assert share.host.endswith("@small#p")
    mc.shares.extend(share, 12)  # 4 more GiB on a 10 GiB pool holding 8: no room
    servers.wait_until(lambda: any(m.resource_id == share.id and m.detail_id == "014"
                                   for m in mc.messages.list()), what="the refusal")
    assert mc.shares.get(share.id).size == 8
    mc.shares.extend(share, 12, force=True)
    servers.wait_until(lambda: mc.shares.get(share.id).size == 12, what="the forced extend")
    assert mc.shares.get(share.id).status == "available"
    # before 2.64, force is not part of the API and the check applies (once the pool
    # has reported what the forced extend took: the scheduler did not see it)
    servers.wait_until(lambda: _free(endpoint, "small") == 0, what="the pool report")
    resp = _api(endpoint, "POST", f"/shares/{share.id}/action", "2.63",
                json={"extend": {"new_size": 14, "force": True}})
    assert resp.status_code == 202
    servers.wait_until(lambda: mc.shares.get(share.id).status == "available",
                       what="the refused extend")
    assert mc.shares.get(share.id).size == 12


def _free(endpoint: str, backend: str) -> float:
    pools = _api(endpoint, "GET", "/scheduler-stats/pools/detail").json()["pools"]
    (pool,) = [p for p in pools if p["backend"] == backend]
    return float(pool["capabilities"]["free_capacity_gb"])


# scheduler hints (2.65) ------------------------------------------------------------------


def _pool(share: Any) -> str:
    return str(share.host).partition("@")[2]


def test_affinity_hints_place_shares_with_or_away_from_others(mc: Any) -> None:
    anchor = _share(mc, share_type="ssd-a")
    assert _pool(anchor).startswith("near#")
    # plain ssd shares go to "far" (most free space) ...
    assert _pool(_share(mc)) == "far#p"
    # ... unless asked to sit with the anchor
    near = _share(mc, scheduler_hints={"same_host": anchor.id})
    assert _pool(near) == _pool(anchor)
    assert mc.shares.get(near.id).metadata == {"__affinity_same_host": anchor.id}
    away = _share(mc, share_type="ssd-a", scheduler_hints={"different_host": anchor.id})
    assert _pool(away).startswith("near#") and _pool(away) != _pool(anchor)
    assert mc.shares.get(away.id).metadata == {"__affinity_different_host": anchor.id}
    # with and away from the same share at once: nowhere
    nowhere = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type="ssd", scheduler_hints={"same_host": anchor.id,
                                                     "different_host": anchor.id}).id)
    assert nowhere.status == "error"


def test_bad_hints_write_nothing(endpoint: str, mc: Any) -> None:
    before = _share_count(mc)
    missing = "8c0f2e7a-27b1-4a4e-9e39-31d0a7a0c0de"
    with pytest.raises(mc_exc.NotFound):
        mc.shares.create("NFS", 1, share_type="ssd", scheduler_hints={"same_host": missing})
    for hints in ({"same_host": ""}, {"same_host": "a,,b"}, {"same_host": 7},
                  {"only_host": "x@y#z"}, ["same_host"], {"different_host": "../etc"}):
        resp = _api(endpoint, "POST", "/shares", json={"share": {
            "share_proto": "NFS", "size": 1, "share_type": "ssd", "scheduler_hints": hints}})
        assert resp.status_code == 400, (hints, resp.text)
        assert "badRequest" in resp.json()
    assert _share_count(mc) == before


# clones through the scheduler ------------------------------------------------------------


def test_clone_goes_through_the_scheduler_next_to_its_snapshot(endpoint: str,
                                                              mc: Any) -> None:
    parent = _share(mc, 10, "ssd-a")
    snap = mc.share_snapshots.create(parent)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="the snapshot")
    clone = mc.shares.create("NFS", 10, snapshot_id=snap.id)
    # 2.54 shows the clone's own status and its progress; before, it reads "creating"
    shown = _api(endpoint, "GET", f"/shares/{clone.id}").json()["share"]
    assert (shown["status"], shown["progress"]) == ("creating_from_snapshot", "0%")
    old = _api(endpoint, "GET", f"/shares/{clone.id}", "2.53").json()["share"]
    assert old["status"] == "creating" and "progress" not in old
    clone = servers.wait_for_status(mc, clone.id)
    assert clone.status == "available" and clone.progress == "100%"
    # CreateFromSnapshotFilter: the snapshot's backend, though "far" has far more room
    # (which of its pools is up to the weighers: capacity and host affinity)
    assert _pool(clone).startswith("near#") and _pool(parent).startswith("near#")


def _near_free(endpoint: str, mc: Any) -> dict[str, float]:
    """Free GiB of the "near" pools, once the scheduler's view matches the shares there."""
    def settled() -> dict[str, float] | None:
        used = {"p1": 0, "p2": 0}
        for share in mc.shares.list(search_opts={"all_tenants": 1}):
            if str(share.host).startswith("testhost@near#"):
                used[str(share.host).partition("#")[2]] += share.size
        pools = _api(endpoint, "GET", "/scheduler-stats/pools/detail").json()["pools"]
        free = {p["pool"]: float(p["capabilities"]["free_capacity_gb"]) for p in pools
                if p["backend"] == "near"}
        return free if free == {k: 100.0 - v for k, v in used.items()} else None

    result: dict[str, float] = servers.wait_until(settled, what="the near pools' report")
    return result


def test_clone_honours_the_snapshot_reserve(endpoint: str, mc: Any) -> None:
    parent = _share(mc, 30, "ssd-a")
    snap = mc.share_snapshots.create(parent)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="the snapshot")
    # CreateFromSnapshotFilter keeps only the snapshot's backend ("near": 2 x 100 GiB,
    # 20 GiB of each kept back from clones), whatever room "far" has
    room = max(_near_free(endpoint, mc).values()) - 20
    too_big = servers.wait_for_status(mc, mc.shares.create("NFS", int(room) + 1,
                                                           snapshot_id=snap.id).id)
    assert too_big.status == "error"
    assert [m.detail_id for m in mc.messages.list() if m.resource_id == too_big.id] == ["004"]
    fits = servers.wait_for_status(mc, mc.shares.create("NFS", int(room),
                                                        snapshot_id=snap.id).id)
    assert fits.status == "available" and _pool(fits).startswith("near#")
