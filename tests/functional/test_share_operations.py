"""Access rules, snapshots, resize, revert and manage through manilaclient (dummy backend)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers

SNAP_TYPE = "with-snapshots"


@pytest.fixture(scope="module")
def snap_type(endpoint: str) -> str:
    mc = servers.manila(endpoint, "2.42")
    mc.share_types.create(SNAP_TYPE, spec_driver_handles_share_servers=False,
                          extra_specs={"snapshot_support": "True",
                                       "create_share_from_snapshot_support": "True",
                                       "revert_to_snapshot_support": "True"})
    return SNAP_TYPE


def _available(mc: Any, proto: str = "NFS", size: int = 1, **kw: Any) -> Any:
    share = servers.wait_for_status(mc, mc.shares.create(proto, size, **kw).id)
    assert share.status == "available"
    return share


def _rules(mc: Any, share: Any) -> dict[str, Any]:
    return {r.access_to: r for r in mc.shares.access_list(share)}


def test_allow_list_and_deny_access_rules(mc: Any) -> None:
    share = _available(mc)
    rule = mc.shares.allow(share, "ip", "198.18.0.0/24", "rw")
    assert rule["access_to"] == "198.18.0.0/24" and rule["state"] == "queued_to_apply"
    mc.shares.allow(share, "ip", "198.18.1.7", "ro")
    servers.wait_until(lambda: {r.state for r in _rules(mc, share).values()} == {"active"},
                       what="rules active")
    rules = _rules(mc, share)
    assert {k: r.access_level for k, r in rules.items()} == {"198.18.0.0/24": "rw",
                                                              "198.18.1.7": "ro"}
    assert mc.shares.get(share.id).access_rules_status == "active"
    with pytest.raises(api_exc.BadRequest):  # the same rule twice
        mc.shares.allow(share, "ip", "198.18.1.7", "rw")
    mc.shares.deny(share, rules["198.18.1.7"].id)
    servers.wait_until(lambda: set(_rules(mc, share)) == {"198.18.0.0/24"},
                       what="rule denied")
    mc.shares.deny(share, rules["198.18.0.0/24"].id)
    servers.wait_until(lambda: not _rules(mc, share), what="all rules gone")
    mc.shares.delete(share)


def test_a_rule_the_protocol_cannot_enforce_ends_in_error(mc: Any) -> None:
    share = _available(mc)
    mc.shares.allow(share, "user", "alice", "rw")  # NFS has no user rules here
    rule = servers.wait_until(lambda: [r for r in mc.shares.access_list(share)
                                       if r.state == "error"], what="rule in error")[0]
    assert rule.access_to == "alice"
    assert mc.shares.get(share.id).access_rules_status == "error"
    assert any(m.resource_id == share.id and m.detail_id == "019"
               for m in mc.messages.list())
    mc.shares.deny(share, rule.id)
    servers.wait_until(lambda: not mc.shares.access_list(share), what="error rule denied")
    assert mc.shares.get(share.id).access_rules_status == "active"
    mc.shares.delete(share)


HOSTILE = ["198.18.0.1\n", "198.18.0.1; rm -rf /", "198.18.0.1/33", "10.0.0.1/8",
           "2001:db8::/129", "host.example", "", "1" * 300, '"198.18.0.1"', "198.18.0.1}"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ip_rules_are_refused_and_nothing_written(endpoint: str, mc: Any,
                                                          value: str) -> None:
    share = mc.shares.list(search_opts={"name": "hostile-target"})
    share = share[0] if share else _available(mc, name="hostile-target")
    resp = requests.post(f"{endpoint}/v2/shares/{share.id}/action",
                         data=json.dumps({"allow_access": {"access_type": "ip",
                                                           "access_to": value,
                                                           "access_level": "rw"}}),
                         headers={"X-Auth-Token": "admin:demo",
                                  "X-OpenStack-Manila-API-Version": "2.42"}, timeout=10)
    assert resp.status_code == 400, resp.text
    assert "badRequest" in resp.json()
    assert mc.shares.access_list(share) == []


@pytest.mark.parametrize("value", ["al ice", "alice\n", "a;b", "a..b", "{x}", "-x", "'x'",
                                   "a" * 33, "a\x00"])
def test_hostile_user_rules_are_refused(endpoint: str, value: str) -> None:
    mc = servers.manila(endpoint, "2.42")
    share = mc.shares.list(search_opts={"name": "hostile-cifs"})
    share = share[0] if share else _available(mc, "CIFS", name="hostile-cifs")
    resp = requests.post(f"{endpoint}/v2/shares/{share.id}/action",
                         json={"allow_access": {"access_type": "user", "access_to": value}},
                         headers={"X-Auth-Token": "admin:demo",
                                  "X-OpenStack-Manila-API-Version": "2.42"}, timeout=10)
    assert resp.status_code == 400
    assert mc.shares.access_list(share) == []


def test_ipv6_rules_need_2_38(endpoint: str, mc: Any) -> None:
    share = _available(mc)
    url = f"{endpoint}/v2/shares/{share.id}/action"
    body = {"allow_access": {"access_type": "ip", "access_to": "2001:db8::/64"}}
    old = requests.post(url, json=body, headers={"X-Auth-Token": "admin:demo",
                        "X-OpenStack-Manila-API-Version": "2.37"}, timeout=10)
    assert old.status_code == 400
    new = requests.post(url, json=body, headers={"X-Auth-Token": "admin:demo",
                        "X-OpenStack-Manila-API-Version": "2.38"}, timeout=10)
    assert new.status_code == 200 and new.json()["access"]["access_to"] == "2001:db8::/64"


def test_legacy_action_names_below_2_7(endpoint: str, mc: Any) -> None:
    share = _available(mc)
    url = f"{endpoint}/v2/shares/{share.id}/action"
    headers = {"X-Auth-Token": "admin:demo", "X-OpenStack-Manila-API-Version": "2.6"}
    resp = requests.post(url, json={"os-allow_access": {"access_type": "ip",
                                                        "access_to": "198.18.9.9"}},
                         headers=headers, timeout=10)
    assert resp.status_code == 200 and resp.json()["access"]["state"] == "new"
    plain = requests.post(url, json={"allow_access": {"access_type": "ip",
                                                      "access_to": "198.18.9.8"}},
                          headers=headers, timeout=10)
    assert plain.status_code == 400
    listed = requests.post(url, json={"os-access_list": None}, headers=headers, timeout=10)
    assert [r["access_to"] for r in listed.json()["access_list"]] == ["198.18.9.9"]


def test_extend_and_shrink(mc: Any) -> None:
    share = _available(mc, size=2)
    mc.shares.extend(share, 4)
    assert servers.wait_for_status(mc, share.id).size == 4
    mc.shares.shrink(share, 3)
    assert servers.wait_for_status(mc, share.id).size == 3
    with pytest.raises(api_exc.BadRequest):
        mc.shares.extend(share, 2)
    with pytest.raises(api_exc.BadRequest):
        mc.shares.shrink(share, 3)
    with pytest.raises(api_exc.RequestEntityTooLarge):
        mc.shares.extend(share, 5000)
    assert mc.shares.get(share.id).size == 3
    mc.shares.delete(share)


def test_snapshot_clone_revert_and_delete(mc: Any, snap_type: str) -> None:
    share = _available(mc, size=2, share_type=snap_type)
    snap = mc.share_snapshots.create(share, name="first")
    snap = servers.wait_until(lambda: (s := mc.share_snapshots.get(snap.id)).status
                              == "available" and s, what="snapshot available")
    assert (snap.size, snap.share_id, snap.name) == (2, share.id, "first")
    assert [s.id for s in mc.share_snapshots.list(search_opts={"share_id": share.id})] \
        == [snap.id]

    clone = mc.shares.create("NFS", 2, snapshot_id=snap.id, name="clone")
    clone = servers.wait_for_status(mc, clone.id)
    assert clone.status == "available" and clone.snapshot_id == snap.id
    assert clone.host == share.host  # cloned where the snapshot lives

    with pytest.raises(api_exc.Forbidden):  # a share with snapshots stays
        mc.shares.delete(share)
    mc.shares.revert_to_snapshot(share, snap)
    assert servers.wait_for_status(mc, share.id).status == "available"
    assert mc.share_snapshots.get(snap.id).status == "available"

    mc.share_snapshots.delete(snap)
    servers.wait_until(lambda: not mc.share_snapshots.list(search_opts={"share_id": share.id}),
                       what="snapshot deleted")
    mc.shares.delete(share)
    mc.shares.delete(clone)


def test_snapshots_need_snapshot_support(mc: Any) -> None:
    share = _available(mc)  # default type: no snapshot_support
    with pytest.raises(api_exc.BadRequest):
        mc.share_snapshots.create(share)
    mc.shares.delete(share)


def test_revert_only_to_the_latest_snapshot(mc: Any, snap_type: str) -> None:
    share = _available(mc, share_type=snap_type)
    first = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(first.id).status == "available")
    second = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(second.id).status == "available")
    with pytest.raises(api_exc.BadRequest):
        mc.shares.revert_to_snapshot(share, first)
    for snap in (first, second):
        mc.share_snapshots.delete(snap)


def test_manage_and_unmanage_a_share(mc: Any) -> None:
    managed = mc.shares.manage(service_host="testhost@alpha#p1", protocol="NFS",
                               export_path="198.18.0.10:/existing/data",
                               driver_options={"size": "7"}, name="adopted")
    managed = servers.wait_for_status(mc, managed.id)
    assert (managed.status, managed.size) == ("available", 7)
    paths = [e.path for e in mc.share_export_locations.list(managed)]
    assert paths == ["198.18.0.10:/existing/data"]
    mc.shares.unmanage(managed)
    servers.wait_until(lambda: managed.id not in {s.id for s in mc.shares.list()},
                       what="unmanaged share gone")


def test_share_access_rules_resource_with_metadata_at_2_45(endpoint: str) -> None:
    mc = servers.manila(endpoint, "2.45")
    share = _available(mc)
    rule = mc.shares.allow(share, "ip", "198.18.4.0/24", "ro", metadata={"owner": "ci"})
    mc.shares.allow(share, "ip", "198.18.5.5", "rw", metadata={"owner": "ops"})
    servers.wait_until(lambda: {r.state for r in mc.share_access_rules.access_list(share)}
                       == {"active"}, what="rules active")
    listed = mc.share_access_rules.access_list(share)
    assert {r.access_to: r.metadata for r in listed} == {
        "198.18.4.0/24": {"owner": "ci"}, "198.18.5.5": {"owner": "ops"}}
    only_ci = mc.share_access_rules.access_list(share, {"metadata": {"owner": "ci"}})
    assert [r.access_to for r in only_ci] == ["198.18.4.0/24"]
    shown = mc.share_access_rules.get(rule["id"])
    assert (shown.access_level, shown.share_id) == ("ro", share.id)
    mc.share_access_rules.set_metadata(rule["id"], {"ticket": "42"})
    assert mc.share_access_rules.get(rule["id"]).metadata == {"owner": "ci", "ticket": "42"}
    mc.share_access_rules.unset_metadata(rule["id"], ["owner"])
    assert mc.share_access_rules.get(rule["id"]).metadata == {"ticket": "42"}
    # the access_list action ends at 2.44
    resp = requests.post(f"{endpoint}/v2/shares/{share.id}/action",
                         json={"access_list": None},
                         headers={"X-Auth-Token": "admin:demo",
                                  "X-OpenStack-Manila-API-Version": "2.45"}, timeout=10)
    assert resp.status_code == 400
    old = requests.get(f"{endpoint}/v2/share-access-rules?share_id={share.id}",
                       headers={"X-Auth-Token": "admin:demo",
                                "X-OpenStack-Manila-API-Version": "2.44"}, timeout=10)
    assert old.status_code == 404
