"""Quota sets, quota classes and limits through python-manilaclient and real HTTP:
per project, per user and per share type, by microversion, with usage and reservations
that follow creates, extends, shrinks, snapshots and deletes.

Each test works in a project of its own (the noauth token ``user:project``), so the
module's one all-in-one service serves them all.
"""

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
    "quick": servers.dummy_backend("p:1000", dummy_capabilities="kind:quick"),
    "slow": servers.dummy_backend("p:1000", dummy_capabilities="kind:slow",
                                  dummy_method_delays="extend_share:4"),
    "broken": servers.dummy_backend("p:1000", dummy_capabilities="kind:broken",
                                    dummy_fail_methods="extend_share"),
}
BASE_KEYS = {"shares", "gigabytes", "snapshots", "snapshot_gigabytes", "share_networks"}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("quotas")
    with servers.all_in_one(tmp, BACKENDS) as (endpoint, proc):
        servers.wait_for_pools(endpoint, 3)
        admin = servers.manila(endpoint, "2.65")
        for kind in ("quick", "slow", "broken"):
            admin.share_types.create(kind, spec_driver_handles_share_servers=False,
                                     extra_specs={"kind": kind, "snapshot_support": "True"})
        yield endpoint
        log = proc.log.read_text(errors="replace")
    assert "database is locked" not in log


def project() -> str:
    return "p" + uuid.uuid4().hex[:12]


def client(url: str, version: str, proj: str, user: str = "admin") -> Any:
    return servers.manila(url, version, token=f"{user}:{proj}")


def http(url: str, method: str, path: str, version: str, proj: str,
         body: Any = None) -> requests.Response:
    return requests.request(method, f"{url}/v2{path}", json=body, timeout=30, headers={
        "X-Auth-Token": f"admin:{proj}", "X-OpenStack-Manila-API-Version": version})


def available(mc: Any, size: int = 1, kind: str = "quick") -> Any:
    share = servers.wait_for_status(mc, mc.shares.create("NFS", size, share_type=kind).id)
    assert share.status == "available"
    return share


def detail(mc: Any, proj: str, **scope: Any) -> dict[str, dict[str, int]]:
    info: dict[str, Any] = mc.quotas.get(proj, detail=True, **scope)._info
    return {k: v for k, v in info.items() if isinstance(v, dict)}


def gone(mc: Any, share_id: str) -> None:
    servers.wait_until(lambda: share_id not in {s.id for s in mc.shares.list()},
                       what=f"share {share_id} deleted")


# Microversions and URLs ---------------------------------------------------------------

def test_legacy_urls_at_2_0(url: str) -> None:
    proj = project()
    mc = client(url, "2.0", proj)
    shown = mc.quotas.get(proj)._info
    assert set(shown) == BASE_KEYS | {"id"} and shown["shares"] == 50
    mc.quotas.update(proj, shares=7, snapshots=3)
    assert mc.quotas.get(proj).shares == 7
    assert mc.quotas.defaults(proj).shares == 50
    assert mc.quota_classes.get("gold")._info["shares"] == 50
    mc.quotas.delete(proj)
    assert mc.quotas.get(proj).shares == 50
    # The new names do not exist before 2.7, nor the old ones after 2.6.
    assert http(url, "GET", f"/quota-sets/{proj}", "2.6", proj).status_code == 404
    assert http(url, "GET", f"/os-quota-sets/{proj}", "2.7", proj).status_code == 404
    assert http(url, "GET", f"/os-quota-sets/{proj}", "2.6", proj).status_code == 200
    assert http(url, "GET", f"/quota-sets/{proj}/detail", "2.24", proj).status_code == 404


def test_keys_follow_the_microversion(url: str) -> None:
    proj = project()
    keys = {ver: set(client(url, ver, proj).quotas.get(proj)._info) - {"id"}
            for ver in ("2.7", "2.40", "2.53", "2.62")}
    assert keys["2.7"] == BASE_KEYS
    assert keys["2.40"] == BASE_KEYS | {"share_groups", "share_group_snapshots"}
    assert keys["2.53"] == keys["2.40"] | {"share_replicas", "replica_gigabytes"}
    assert keys["2.62"] == keys["2.53"] | {"per_share_gigabytes"}
    typed = client(url, "2.65", proj).quotas.get(proj, share_type="quick")._info
    assert set(typed) == keys["2.62"] - {"share_networks", "share_groups",
                                         "share_group_snapshots"} | {"id"}
    # A key from a later version is a bad key.
    resp = http(url, "PUT", f"/quota-sets/{proj}", "2.52", proj,
                {"quota_set": {"share_replicas": 5}})
    assert resp.status_code == 400 and "share_replicas" in resp.json()["badRequest"]["message"]
    resp = http(url, "GET", f"/quota-sets/{proj}?share_type=quick", "2.38", proj)
    assert resp.status_code == 400


def test_limits_by_microversion(url: str) -> None:
    proj = project()
    mc = client(url, "2.0", proj)
    absolute = mc.limits.get()._info["absolute"]
    assert absolute["maxTotalShares"] == 50 and absolute["totalSharesUsed"] == 0
    assert "maxTotalShareReplicas" not in absolute
    later = client(url, "2.58", proj).limits.get()._info["absolute"]
    assert later["maxTotalShareReplicas"] == 100 and later["maxTotalReplicaGigabytes"] == 1000
    assert later["maxTotalShareGroups"] == 50 and "totalShareGroupSnapshotsUsed" in later
    assert "maxTotalShareGroups" not in client(url, "2.57", proj).limits.get()._info[
        "absolute"]


# Updates: what is accepted, what is refused -----------------------------------------

def test_project_and_user_quotas(url: str) -> None:
    proj = project()
    mc = client(url, "2.39", proj)
    updated = mc.quotas.update(proj, shares=10, gigabytes=100)
    assert (updated.shares, updated.gigabytes) == (10, 100)
    mc.quotas.update(proj, user_id="alice", shares=4)
    alice = mc.quotas.get(proj, user_id="alice")
    assert (alice.shares, alice.gigabytes) == (4, 100)  # the rest follows the project
    with pytest.raises(api_exc.BadRequest, match="less than 10"):
        mc.quotas.update(proj, user_id="alice", shares=11)
    assert mc.quotas.get(proj, user_id="alice").shares == 4  # nothing written
    # The project cannot go below what its users were given, unless forced.
    with pytest.raises(api_exc.BadRequest):
        mc.quotas.update(proj, shares=3)
    assert mc.quotas.get(proj).shares == 10
    mc.quotas.update(proj, user_id="alice", shares=11, force=True)
    assert mc.quotas.get(proj, user_id="alice").shares == 11
    mc.quotas.delete(proj, user_id="alice")
    assert mc.quotas.get(proj, user_id="alice").shares == 10
    mc.quotas.delete(proj)
    assert mc.quotas.get(proj).shares == 50


BAD_UPDATES = [
    ("unknown key", {"shares": 5, "volumes": 3}, "volumes"),
    ("below -1", {"shares": -2}, "-1"),
    ("not a number", {"gigabytes": "many"}, "integer"),
    ("boolean", {"gigabytes": True}, "integer"),
    ("huge", {"gigabytes": 2**40}, "at most"),
]


@pytest.mark.parametrize(("case", "values", "word"), BAD_UPDATES,
                         ids=[b[0] for b in BAD_UPDATES])
def test_bad_updates_are_refused_and_write_nothing(url: str, case: str,
                                                   values: dict[str, Any], word: str) -> None:
    proj = project()
    resp = http(url, "PUT", f"/quota-sets/{proj}", "2.65", proj, {"quota_set": values})
    assert resp.status_code == 400, resp.text
    assert word in resp.json()["badRequest"]["message"]
    shown = http(url, "GET", f"/quota-sets/{proj}", "2.65", proj).json()["quota_set"]
    assert (shown["shares"], shown["gigabytes"]) == (50, 1000)


def test_malformed_requests(url: str) -> None:
    proj = project()
    bodies: list[Any] = [[1], {"quota": {}}, {"quota_set": 5}]
    for body in bodies:
        assert http(url, "PUT", f"/quota-sets/{proj}", "2.65", proj, body).status_code == 400
    both = http(url, "GET", f"/quota-sets/{proj}?user_id=a&share_type=quick", "2.65", proj)
    assert both.status_code == 400
    assert http(url, "GET", f"/quota-sets/{proj}?share_type=nosuch", "2.65",
                proj).status_code == 404
    resp = http(url, "PUT", f"/quota-sets/{proj}?share_type=quick", "2.65", proj,
                {"quota_set": {"share_networks": 3}})
    assert resp.status_code == 400 and "share_networks" in resp.text
    resp = http(url, "PUT", "/quota-class-sets/default", "2.65", proj,
                {"quota_class_set": {"shares": -5}})
    assert resp.status_code == 400


def test_a_limit_below_usage_needs_force(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    share = available(mc, 3)
    with pytest.raises(api_exc.BadRequest, match="smaller than already used"):
        mc.quotas.update(proj, gigabytes=2)
    assert mc.quotas.get(proj).gigabytes == 1000
    mc.quotas.update(proj, gigabytes=2, force=True)
    assert detail(mc, proj)["gigabytes"] == {"in_use": 3, "reserved": 0, "limit": 2}
    with pytest.raises(api_exc.RequestEntityTooLarge):
        mc.shares.create("NFS", 1, share_type="quick")
    mc.shares.delete(share)
    gone(mc, share.id)
    assert detail(mc, proj)["gigabytes"]["in_use"] == 0


# Enforcement ---------------------------------------------------------------------------

def test_over_quota_create_is_413_and_usage_follows(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    mc.quotas.update(proj, shares=2)
    first, second = available(mc, 2), available(mc, 3)
    with pytest.raises(api_exc.RequestEntityTooLarge, match="shares"):
        mc.shares.create("NFS", 1, share_type="quick")
    used = detail(mc, proj)
    assert used["shares"] == {"in_use": 2, "reserved": 0, "limit": 2}
    assert used["gigabytes"]["in_use"] == 5
    absolute = mc.limits.get()._info["absolute"]
    assert (absolute["totalSharesUsed"], absolute["totalShareGigabytesUsed"]) == (2, 5)
    mc.shares.delete(first)
    gone(mc, first.id)
    assert detail(mc, proj)["shares"]["in_use"] == 1
    available(mc, 1)
    mc.shares.delete(second)


def test_user_quota_limits_one_user_only(url: str) -> None:
    proj = project()
    admin = client(url, "2.65", proj)
    admin.quotas.update(proj, user_id="bob", shares=1)
    bob, carol = client(url, "2.65", proj, "bob"), client(url, "2.65", proj, "carol")
    available(bob)
    with pytest.raises(api_exc.RequestEntityTooLarge):
        bob.shares.create("NFS", 1, share_type="quick")
    available(carol)
    assert detail(admin, proj, user_id="bob")["shares"]["in_use"] == 1
    assert detail(admin, proj)["shares"]["in_use"] == 2


def test_share_type_quota_is_checked_with_the_projects(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    mc.quotas.update(proj, share_type="quick", gigabytes=5)
    assert mc.quotas.get(proj, share_type="quick").gigabytes == 5
    available(mc, 4, "quick")
    with pytest.raises(api_exc.RequestEntityTooLarge, match="gigabytes"):
        mc.shares.create("NFS", 2, share_type="quick")
    available(mc, 2, "slow")  # other types only count against the project
    assert detail(mc, proj, share_type="quick")["gigabytes"]["in_use"] == 4
    assert detail(mc, proj)["gigabytes"]["in_use"] == 6
    # A share type's limit cannot pass the project's (without force).
    mc.quotas.update(proj, shares=5)
    with pytest.raises(api_exc.BadRequest):
        mc.quotas.update(proj, share_type="quick", shares=6)
    mc.quotas.delete(proj, share_type="quick")
    assert mc.quotas.get(proj, share_type="quick").gigabytes == 1000


def test_per_share_gigabytes(url: str) -> None:
    proj = project()
    mc = client(url, "2.62", proj)
    mc.quotas.update(proj, per_share_gigabytes=5)
    with pytest.raises(api_exc.RequestEntityTooLarge, match="larger than maximum"):
        mc.shares.create("NFS", 6, share_type="quick")
    share = available(mc, 5)
    with pytest.raises(api_exc.RequestEntityTooLarge):
        mc.shares.extend(share, 6)
    assert mc.shares.get(share.id).status == "available"


def test_extend_reserves_while_extending_and_commits(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    share = available(mc, 1, "slow")
    mc.shares.extend(share, 3)
    assert mc.shares.get(share.id).status == "extending"
    assert detail(mc, proj)["gigabytes"] == {"in_use": 1, "reserved": 2, "limit": 1000}
    assert servers.wait_for_status(mc, share.id).size == 3
    assert detail(mc, proj)["gigabytes"] == {"in_use": 3, "reserved": 0, "limit": 1000}


def test_a_reservation_counts_against_the_quota(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    mc.quotas.update(proj, gigabytes=4)
    share = available(mc, 1, "slow")
    mc.shares.extend(share, 3)  # 2 reserved while extending
    with pytest.raises(api_exc.RequestEntityTooLarge):
        mc.shares.create("NFS", 2, share_type="quick")  # 1 + 2 + 2 > 4
    with pytest.raises(api_exc.BadRequest, match="used and reserved 3"):
        mc.quotas.update(proj, gigabytes=2)
    servers.wait_for_status(mc, share.id)


def test_a_failed_extend_gives_the_reservation_back(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    share = available(mc, 2, "broken")
    mc.shares.extend(share, 5)
    assert servers.wait_for_status(mc, share.id, ("extending_error",)).status == \
        "extending_error"
    assert detail(mc, proj)["gigabytes"] == {"in_use": 2, "reserved": 0, "limit": 1000}


def test_shrink_gives_usage_back(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    share = available(mc, 4)
    mc.shares.shrink(share, 1)
    servers.wait_for_status(mc, share.id)
    assert detail(mc, proj)["gigabytes"]["in_use"] == 1


def test_snapshot_quotas(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    mc.quotas.update(proj, snapshots=1)
    share = available(mc, 2)
    snap = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="snapshot available")
    with pytest.raises(api_exc.RequestEntityTooLarge, match="snapshots"):
        mc.share_snapshots.create(share)
    used = detail(mc, proj)
    assert used["snapshots"]["in_use"] == 1 and used["snapshot_gigabytes"]["in_use"] == 2
    mc.share_snapshots.delete(snap)
    servers.wait_until(lambda: not mc.share_snapshots.list(), what="snapshot deleted")
    assert detail(mc, proj)["snapshots"]["in_use"] == 0


def test_quota_classes(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    resp = http(url, "PUT", "/quota-class-sets/gold", "2.65", proj,
                {"quota_class_set": {"class_name": "gold", "shares": 99,
                                     "per_share_gigabytes": 10}})
    assert resp.status_code == 200, resp.text
    answer = resp.json()["quota_class_set"]
    assert (answer["shares"], answer["per_share_gigabytes"]) == (99, 10)
    gold = mc.quota_classes.get("gold")
    assert (gold.shares, gold.per_share_gigabytes) == (99, 10)
    assert mc.quota_classes.get("gold").gigabytes == 1000
    try:
        mc.quota_classes.update("default", snapshots=7)
        assert mc.quotas.defaults(proj).snapshots == 7
        assert mc.quotas.get(proj).snapshots == 7
        assert mc.quota_classes.get("gold").snapshots == 7  # falls back to the default
    finally:
        mc.quota_classes.update("default", snapshots=50)
    resp = http(url, "PUT", "/quota-class-sets/gold", "2.65", proj,
                {"quota_class_set": {"shares": 1, "bogus": 2}})
    assert resp.status_code == 400 and "bogus" in resp.text
    assert mc.quota_classes.get("gold").shares == 99


def test_manage_counts_even_over_quota_and_unmanage_gives_back(url: str) -> None:
    proj = project()
    mc = client(url, "2.65", proj)
    mc.quotas.update(proj, gigabytes=5)
    managed = mc.shares.manage("testhost@quick#p", "NFS", "198.18.0.1:/exports/old",
                               driver_options={"size": "8"}, share_type="quick")
    assert servers.wait_for_status(mc, managed.id).size == 8
    # The storage exists already: counted even though it passes the quota.
    assert detail(mc, proj)["gigabytes"] == {"in_use": 8, "reserved": 0, "limit": 5}
    with pytest.raises(api_exc.RequestEntityTooLarge):
        mc.shares.create("NFS", 1, share_type="quick")
    mc.shares.unmanage(managed)
    servers.wait_until(lambda: managed.id not in {s.id for s in mc.shares.list()},
                       what="share unmanaged")
    used = detail(mc, proj)
    assert used["gigabytes"]["in_use"] == 0 and used["shares"]["in_use"] == 0


def test_an_expired_reservation_is_rolled_back_and_a_late_extend_still_counts(
        tmp_path: Path) -> None:
    """With reservation_expire = 1 s the scheduler's periodic task rolls back the
    reservation of an extend that takes 12 s; when the backend finishes, the share service
    counts the new size all the same."""
    backends = {"slow": servers.dummy_backend("p:1000", dummy_method_delays="extend_share:12")}
    with servers.all_in_one(tmp_path, backends,
                            groups={"quota": {"reservation_expire": 1}}) as (endpoint, _):
        servers.wait_for_pools(endpoint, 1)
        proj = project()
        mc = client(endpoint, "2.65", proj)
        mc.share_types.create("plain", spec_driver_handles_share_servers=False)
        share = available(mc, 1, "plain")
        mc.shares.extend(share, 4)
        assert detail(mc, proj)["gigabytes"]["reserved"] == 3
        servers.wait_until(lambda: detail(mc, proj)["gigabytes"]["reserved"] == 0,
                           timeout=10, what="the reservation to expire")
        assert mc.shares.get(share.id).status == "extending"
        assert servers.wait_for_status(mc, share.id).size == 4
        assert detail(mc, proj)["gigabytes"] == {"in_use": 4, "reserved": 0, "limit": 1000}
