"""Share replicas through python-manilaclient and plain HTTP (dummy backends).

Four dummy backends, one per availability zone so that a test can choose where a
replica goes: ``east`` and ``west`` in replication domain ``dom1``; ``sick`` in the
same domain but failing replica updates, promotions and access updates; ``lonely``
without replication. Replica states are refreshed every 2 seconds.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers

TYPE = "replicated"
PLAIN_TYPE = "not-replicated"
EXPERIMENTAL = {"X-OpenStack-Manila-API-Experimental": "true"}
BACKENDS = {
    "east": servers.dummy_backend("e1:100", backend_availability_zone="zone-a",
                                  dummy_replication_domain="dom1"),
    "west": servers.dummy_backend("w1:100", backend_availability_zone="zone-b",
                                  dummy_replication_domain="dom1",
                                  # keeps a new replica out_of_sync long enough to see
                                  dummy_method_delays="update_replica_state:1"),
    "sick": servers.dummy_backend(
        "s1:100", backend_availability_zone="zone-c", dummy_replication_domain="dom1",
        dummy_fail_methods="update_replica_state,promote_replica,update_access"),
    "lonely": servers.dummy_backend("l1:100", backend_availability_zone="zone-d"),
    "dr1": servers.dummy_backend("d1:100", backend_availability_zone="zone-e",
                                 dummy_replication_domain="dom2",
                                 dummy_replication_type="dr"),
    "dr2": servers.dummy_backend("d2:100", backend_availability_zone="zone-f",
                                 dummy_replication_domain="dom2",
                                 dummy_replication_type="dr"),
}
DR_TYPE = "disaster-recovery"
# generous: the machine running the tests may be busy
_until = functools.partial(servers.wait_until, timeout=90)


@pytest.fixture(scope="module")
def aio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("replicas")
    with servers.all_in_one(tmp, BACKENDS, replica_state_update_interval=2) as (url, proc):
        servers.wait_for_pools(url, 6)
        mc = servers.manila(url, "2.56")
        mc.share_types.create(DR_TYPE, spec_driver_handles_share_servers=False,
                              extra_specs={"replication_type": "dr"})
        mc.share_types.create(TYPE, spec_driver_handles_share_servers=False,
                              extra_specs={"replication_type": "readable",
                                           "snapshot_support": "True"})
        mc.share_types.create(PLAIN_TYPE, spec_driver_handles_share_servers=False)
        yield url, proc.log
        log = proc.log.read_text(errors="replace")
    # the only tracebacks are those of the failures the backends were told to inject
    assert log.count("Traceback") == log.count(
        "DriverError: The dummy backend is configured to fail"), log[-3000:]


@pytest.fixture
def endpoint(aio: tuple[str, Path]) -> str:
    return aio[0]


def _share(mc: Any, zone: str = "zone-a", share_type: str = TYPE) -> Any:
    share = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=share_type, availability_zone=zone).id, timeout=90)
    assert share.status == "available", share
    return share


def _replica(mc: Any, replica_id: str, *statuses: str, state: str | None = None) -> Any:
    def done() -> Any:
        rep = mc.share_replicas.get(replica_id)
        ok = rep.status in (statuses or ("available",)) and (
            state is None or rep.replica_state == state)
        return rep if ok else None

    return _until(done, timeout=90,
                                what=f"replica {replica_id} {statuses} {state}")


def _messages(endpoint: str, resource_id: str) -> list[dict[str, Any]]:
    resp = requests.get(f"{endpoint}/v2/messages", headers={
        "X-Auth-Token": "admin:demo", "X-OpenStack-Manila-API-Version": "2.37"}, timeout=10)
    return [m for m in resp.json()["messages"] if m["resource_id"] == resource_id]


def _delete_all(mc: Any, share: Any) -> None:
    for rep in mc.share_replicas.list(share):
        if rep.replica_state != "active":
            mc.share_replicas.delete(rep, force=True)
    _until(lambda: len(mc.share_replicas.list(share)) == 1, what="replicas gone")
    mc.shares.delete(share)


def _serving(log: Path, instance_id: str) -> str | None:
    """The rules the dummy backend last said instance_id serves."""
    found = re.findall(rf"instance {instance_id} serves \[([^\]]*)\]",
                       log.read_text(errors="replace"))
    return found[-1] if found else None


# lifecycle ---------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["2.11", "2.47", "2.56", "2.65"])
def test_replica_lifecycle(endpoint: str, version: str) -> None:
    """create -> out_of_sync -> in_sync (periodic update) -> promote -> resync -> delete."""
    mc = servers.manila(endpoint, version)
    share = _share(mc)
    assert mc.shares.get(share.id).replication_type == "readable"
    assert mc.shares.get(share.id).has_replicas is False
    (active,) = mc.share_replicas.list(share)
    assert active.replica_state == "active" and active.status == "available"

    new = mc.share_replicas.create(share, availability_zone="zone-b")
    assert new.status == "creating" and new.replica_state == "out_of_sync"
    rep = _replica(mc, new.id)
    assert rep.replica_state == "out_of_sync" and rep.availability_zone == "zone-b"
    assert rep.host.startswith("testhost@west#")
    assert mc.shares.get(share.id).has_replicas is True
    _replica(mc, new.id, state="in_sync")

    if version != "2.11":  # replica export locations arrive with 2.47
        els = mc.share_replica_export_locations.list(new.id)
        assert [el.replica_state for el in els] == ["in_sync"]
        assert els[0].path.startswith("198.18.0.10:/dummy/w1/")
        one = mc.share_replica_export_locations.get(new.id, els[0].id)
        assert one.path == els[0].path and one.availability_zone == "zone-b"
        # the share lists only the active replica's locations from 2.47
        assert [el.path for el in mc.share_export_locations.list(share)] == [
            el.path for el in mc.share_replica_export_locations.list(active.id)]

    mc.share_replicas.promote(new.id)
    _replica(mc, new.id, state="active")
    old = _replica(mc, active.id, state="out_of_sync")
    assert old.status == "available"
    shown = mc.shares.get(share.id)
    assert shown.host.startswith("testhost@west#") and shown.availability_zone == "zone-b"
    _replica(mc, active.id, state="in_sync")

    mc.share_replicas.reset_replica_state(active.id, "out_of_sync")
    assert mc.share_replicas.get(active.id).replica_state == "out_of_sync"
    mc.share_replicas.resync(active.id)
    _replica(mc, active.id, state="in_sync")

    with pytest.raises(api_exc.BadRequest):  # the last active replica
        mc.share_replicas.delete(new.id)
    with pytest.raises(api_exc.Conflict):  # a share with replicas
        mc.shares.delete(share)
    mc.share_replicas.delete(active.id)
    _until(lambda: [r.id for r in mc.share_replicas.list(share)] == [new.id],
                       what="old active replica deleted")
    assert mc.shares.get(share.id).has_replicas is False
    mc.shares.delete(share)


def test_share_export_locations_before_2_47_list_every_replica(endpoint: str) -> None:
    mc = servers.manila(endpoint, "2.46")
    share = _share(mc)
    rep = mc.share_replicas.create(share, availability_zone="zone-b")
    _replica(mc, rep.id)
    paths = [el.path for el in mc.share_export_locations.list(share)]
    assert len(paths) == 2 and any("/dummy/w1/" in p for p in paths)
    assert any("/dummy/e1/" in p for p in paths)
    _delete_all(mc, share)


def test_access_rules_reach_every_replica_read_only(aio: tuple[str, Path]) -> None:
    endpoint, log = aio
    mc = servers.manila(endpoint, "2.56")
    share = _share(mc)
    rule = mc.shares.allow(share, "ip", "198.18.5.0/24", "rw")
    _until(lambda: mc.shares.get(share.id).access_rules_status == "active",
                       what="rule active")
    rep = mc.share_replicas.create(share, availability_zone="zone-b")
    _replica(mc, rep.id)
    # a new readable replica starts with the share's rules, read-only
    assert _serving(log, rep.id) == "198.18.5.0/24:ro"
    (active,) = [r for r in mc.share_replicas.list(share) if r.replica_state == "active"]
    assert _serving(log, active.id) == "198.18.5.0/24:rw"

    mc.shares.allow(share, "ip", "198.18.6.7", "rw")
    _until(lambda: _serving(log, rep.id) == "198.18.5.0/24:ro, 198.18.6.7:ro",
                       what="new rule on the replica")
    _until(lambda: mc.shares.get(share.id).access_rules_status == "active",
                       what="all replicas synced")
    mc.shares.deny(share, rule["id"])
    _until(lambda: _serving(log, rep.id) == "198.18.6.7:ro",
                       what="denied rule gone from the replica")

    mc.share_replicas.promote(rep.id)
    _replica(mc, rep.id, state="active")
    # the promoted replica serves read-write, the old active one read-only
    _until(lambda: _serving(log, rep.id) == "198.18.6.7:rw", what="rw on new")
    _until(lambda: _serving(log, active.id) == "198.18.6.7:ro", what="ro on old")
    _delete_all(mc, share)


def test_a_dr_replica_serves_no_rules_until_promoted(aio: tuple[str, Path]) -> None:
    endpoint, log = aio
    mc = servers.manila(endpoint, "2.56")
    share = _share(mc, zone="zone-e", share_type=DR_TYPE)
    assert share.replication_type == "dr"
    mc.shares.allow(share, "ip", "198.18.8.0/24", "rw")
    rep = mc.share_replicas.create(share, availability_zone="zone-f")
    _replica(mc, rep.id)
    assert rep.id not in {r.id for r in mc.share_replicas.list(share)
                          if r.replica_state == "active"}
    assert _serving(log, rep.id) == ""
    (active,) = [r for r in mc.share_replicas.list(share) if r.replica_state == "active"]
    _until(lambda: _serving(log, active.id) == "198.18.8.0/24:rw",
                       what="rule on the active replica")
    _replica(mc, rep.id, state="in_sync")
    mc.share_replicas.promote(rep.id)
    _replica(mc, rep.id, state="active")
    _until(lambda: _serving(log, rep.id) == "198.18.8.0/24:rw", what="rw on new")
    _until(lambda: _serving(log, active.id) == "", what="none on the old")
    _delete_all(mc, share)


# failures ----------------------------------------------------------------------------

def test_no_host_in_the_domain_means_error_and_a_message(endpoint: str) -> None:
    mc = servers.manila(endpoint, "2.56")
    share = _share(mc)
    # zone-a has no other backend of dom1 (east holds the share already)
    rep = mc.share_replicas.create(share, availability_zone="zone-a")
    failed = _replica(mc, rep.id, "error")
    assert failed.replica_state == "error"
    (msg,) = _messages(endpoint, rep.id)
    assert msg["resource_type"] == "SHARE_REPLICA" and "replication domain" in msg[
        "user_message"]
    assert mc.shares.get(share.id).status == "available"
    mc.share_replicas.delete(rep.id)  # never placed: gone at once
    assert [r.replica_state for r in mc.share_replicas.list(share)] == ["active"]
    mc.shares.delete(share)


def test_failed_update_promote_and_access_on_a_replica(aio: tuple[str, Path]) -> None:
    endpoint, _ = aio
    mc = servers.manila(endpoint, "2.56")
    share = _share(mc)
    rep = mc.share_replicas.create(share, availability_zone="zone-c")
    _replica(mc, rep.id)
    # the periodic update fails on "sick": replica_state error and one message
    _replica(mc, rep.id, state="error")
    (msg,) = _messages(endpoint, rep.id)
    assert "failed to update the share replica" in msg["user_message"]

    mc.share_replicas.promote(rep.id)  # an admin may promote a replica in error
    failed = _replica(mc, rep.id, "error")
    assert failed.replica_state == "error"
    assert any("promote" in m["user_message"] for m in _messages(endpoint, rep.id))
    shown = mc.shares.get(share.id)
    assert shown.status == "available" and shown.availability_zone == "zone-a"

    mc.share_replicas.reset_state(rep.id, "available")
    mc.shares.allow(share, "ip", "198.18.7.1", "rw")
    _until(lambda: mc.shares.get(share.id).access_rules_status == "error",
                       what="replica access error shows on the share")
    assert any("access rules" in m["user_message"] for m in _messages(endpoint, rep.id))
    _delete_all(mc, share)


# bad input ---------------------------------------------------------------------------

def _post(endpoint: str, path: str, body: Any, version: str = "2.56",
          headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(f"{endpoint}/v2{path}", data=json.dumps(body), headers={
        "X-Auth-Token": "admin:demo", "X-OpenStack-Manila-API-Version": version,
        "Content-Type": "application/json", **(headers or {})}, timeout=10)


def _count(mc: Any) -> int:
    """Replicas not on their way out (an earlier delete may finish meanwhile)."""
    return len([r for r in mc.share_replicas.list() if r.status != "deleting"])


def test_bad_requests_write_nothing(endpoint: str) -> None:
    mc = servers.manila(endpoint, "2.56")
    plain = _share(mc, zone="zone-d", share_type=PLAIN_TYPE)
    share = _share(mc)
    before = _count(mc)
    for body, code in [
        ({"share_replica": {}}, 400),
        ({"share_replica": {"share_id": 12}}, 400),
        ({"share_replica": {"share_id": "no such share"}}, 400),
        ({"share_replica": {"share_id": "0b1b4a70-0000-4000-8000-000000000000"}}, 404),
        ({"share_replica": {"share_id": plain.id}}, 400),  # no replication type
        ({"share_replica": {"share_id": share.id, "availability_zone": "nowhere"}}, 400),
        ({"share_replica": {"share_id": share.id, "availability_zone": 7}}, 400),
        ({"share_replicas": {"share_id": share.id}}, 400),
        ([1, 2], 400),
    ]:
        resp = _post(endpoint, "/share-replicas", body)
        assert resp.status_code == code, (body, resp.text)
        assert list(resp.json()) == ["badRequest" if code == 400 else "itemNotFound"]
    assert _count(mc) == before

    (active,) = mc.share_replicas.list(share)
    for body in [{"reset_status": {"status": "bogus"}},
                 {"reset_replica_state": {"replica_state": "bogus"}},
                 {"reset_status": {}}, {"promote": 1}, {"no_such_action": None},
                 {"promote": None, "resync": None}]:
        resp = _post(endpoint, f"/share-replicas/{active.id}/action", body)
        assert resp.status_code == 400, (body, resp.text)
    shown = mc.share_replicas.get(active.id)
    assert (shown.status, shown.replica_state) == ("available", "active")
    # promoting or resyncing the active replica changes nothing (200)
    for action in ("promote", "resync"):
        resp = _post(endpoint, f"/share-replicas/{active.id}/action", {action: None})
        assert resp.status_code == 200, resp.text
    # the only active replica cannot go, not even forced
    resp = _post(endpoint, f"/share-replicas/{active.id}/action", {"force_delete": None})
    assert resp.status_code == 400
    assert [r.id for r in mc.share_replicas.list(share)] == [active.id]
    resp = requests.get(f"{endpoint}/v2/share-replicas/{share.id}", headers={
        "X-Auth-Token": "admin:demo", "X-OpenStack-Manila-API-Version": "2.56"}, timeout=10)
    assert resp.status_code == 404 and "itemNotFound" in resp.json()
    mc.shares.delete(plain)
    mc.shares.delete(share)


def test_what_a_share_with_replicas_refuses(endpoint: str) -> None:
    mc = servers.manila(endpoint, "2.56")
    share = _share(mc)
    snap = mc.share_snapshots.create(share)
    _until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="snapshot")
    with pytest.raises(api_exc.BadRequest):  # replicas of shares with snapshots: not yet
        mc.share_replicas.create(share, availability_zone="zone-b")
    mc.share_snapshots.delete(snap)
    _until(lambda: not mc.share_snapshots.list(), what="snapshot deleted")
    rep = mc.share_replicas.create(share, availability_zone="zone-b")
    _replica(mc, rep.id)
    with pytest.raises(api_exc.BadRequest):
        mc.share_snapshots.create(share)
    with pytest.raises(api_exc.Conflict):
        mc.shares.force_delete(share)
    with pytest.raises(api_exc.Conflict):
        mc.shares.unmanage(share)
    shown = mc.shares.get(share.id)
    assert shown.status == "available" and shown.has_replicas is True
    assert len(mc.share_replicas.list(share)) == 2
    _delete_all(mc, share)


def test_experimental_header_required_before_2_56(endpoint: str) -> None:
    mc = servers.manila(endpoint, "2.56")
    share = _share(mc)

    def get(version: str, headers: dict[str, str]) -> requests.Response:
        return requests.get(f"{endpoint}/v2/share-replicas/detail", headers={
            "X-Auth-Token": "admin:demo", "X-OpenStack-Manila-API-Version": version,
            **headers}, timeout=10)

    assert get("2.10", EXPERIMENTAL).status_code == 404
    assert get("2.11", {}).status_code == 404
    assert get("2.55", {}).status_code == 404
    ok = get("2.11", EXPERIMENTAL)
    assert ok.status_code == 200 and ok.headers["X-OpenStack-Manila-API-Experimental"]
    assert share.id in {r["share_id"] for r in ok.json()["share_replicas"]}
    assert get("2.56", {}).status_code == 200
    resp = _post(endpoint, "/share-replicas", {"share_replica": {"share_id": share.id}},
                 version="2.55")
    assert resp.status_code == 404
    assert len(mc.share_replicas.list(share)) == 1
    # the share views show the replication fields from 2.11 only
    old = requests.get(f"{endpoint}/v2/shares/{share.id}", headers={
        "X-Auth-Token": "admin:demo", "X-OpenStack-Manila-API-Version": "2.10"}, timeout=10)
    assert "replication_type" not in old.json()["share"]
    mc.shares.delete(share)



def test_replica_quotas(endpoint: str) -> None:
    """share_replicas and replica_gigabytes (2.53) count the active replica too."""
    project = "replica-quota-project"
    admin = servers.manila(endpoint, "2.56")
    admin.quotas.update(project, share_replicas=2, replica_gigabytes=10)
    mc = servers.manila(endpoint, "2.56", token=f"admin:{project}")
    share = _share(mc)

    def in_use() -> tuple[int, int]:
        quota = admin.quotas.get(project, detail=True)
        return (quota.share_replicas["in_use"], quota.replica_gigabytes["in_use"])

    assert in_use() == (1, 1)
    rep = mc.share_replicas.create(share, availability_zone="zone-b")
    _replica(mc, rep.id)
    assert in_use() == (2, 2)
    with pytest.raises(api_exc.RequestEntityTooLarge):
        mc.share_replicas.create(share, availability_zone="zone-c")
    assert len(mc.share_replicas.list(share)) == 2
    mc.shares.extend(share, 3)  # every replica grows: 2 x 3 GiB
    _until(lambda: mc.shares.get(share.id).size == 3, what="extended")
    assert in_use() == (2, 6)
    mc.share_replicas.delete(rep.id)
    _until(lambda: in_use() == (1, 3), what="replica quota released")
    mc.shares.delete(share)
    _until(lambda: in_use() == (0, 0), what="share quota released")


def test_replicas_are_served_again_after_a_restart(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The dummy backend forgets everything on a stop; after the restart the share
    service serves the replica again with its read-only rules, so its updates succeed."""
    tmp = tmp_path_factory.mktemp("replicas-restart")
    backends = {name: BACKENDS[name] for name in ("east", "west")}
    with servers.all_in_one(tmp, backends, replica_state_update_interval=1) as (url, proc):
        servers.wait_for_pools(url, 2)
        mc = servers.manila(url, "2.56")
        mc.share_types.create(TYPE, spec_driver_handles_share_servers=False,
                              extra_specs={"replication_type": "readable"})
        share = _share(mc)
        mc.shares.allow(share, "ip", "198.18.9.9", "rw")
        rep = mc.share_replicas.create(share, availability_zone="zone-b")
        _replica(mc, rep.id, state="in_sync")
        assert _serving(proc.log, rep.id) == "198.18.9.9:ro"
    start = proc.log.stat().st_size
    with servers.all_in_one(tmp, backends, replica_state_update_interval=1) as (url, proc):
        servers.wait_for_pools(url, 2)
        mc = servers.manila(url, "2.56")
        after = proc.log.read_text(errors="replace")[start:]
        assert re.search(rf"instance {rep.id} serves \[198\.18\.9\.9:ro\]", after), after
        # a periodic update after the restart still finds it in sync
        mc.share_replicas.reset_replica_state(rep.id, "out_of_sync")
        _replica(mc, rep.id, state="in_sync")
        _delete_all(mc, share)
