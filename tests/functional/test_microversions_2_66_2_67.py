"""Microversions 2.66 (share group types listed by group specs) and 2.67 (the
``only_host`` scheduler hint on share and share replica create), through
python-manilaclient and plain HTTP against three dummy backends.

Pools: ``testhost@small#p`` (100 GiB), ``testhost@medium#p`` (200 GiB) and
``testhost@large#p`` (400 GiB), all in replication domain ``dom1``. Left alone the
scheduler puts a share on ``large`` (most free room), so a share on another pool shows
the hint was obeyed. Under noauth every caller is an admin; the non-admin's 403 is
shown against a real Keystone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from manilaclient import client as manila_client
from manilaclient.common.apiclient import exceptions as mc_exc

from tests.fixtures import servers
from tests.fixtures.keystone import Keystone

PLAIN = "plain"
REPLICATED = "replicated"
BACKENDS = {
    name: servers.dummy_backend(f"p:{size}", dummy_replication_domain="dom1")
    for name, size in (("small", 100), ("medium", 200), ("large", 400))
}
SMALL, MEDIUM, LARGE = (f"testhost@{name}#p" for name in ("small", "medium", "large"))


@pytest.fixture(scope="module")
def aio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("mv_2_67")
    unlimited = {"quota": {"shares": -1, "gigabytes": -1, "share_replicas": -1,
                           "replica_gigabytes": -1}}
    with servers.all_in_one(tmp, BACKENDS, unlimited,
                            replica_state_update_interval=2) as (url, proc):
        servers.wait_for_pools(url, 3)
        mc = servers.manila(url, "2.67")
        mc.share_types.create(PLAIN, spec_driver_handles_share_servers=False)
        mc.share_types.create(REPLICATED, spec_driver_handles_share_servers=False,
                              extra_specs={"replication_type": "readable"})
        yield url, proc.log
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture
def endpoint(aio: tuple[str, Path]) -> str:
    return aio[0]


@pytest.fixture
def mc(endpoint: str) -> Any:
    return servers.manila(endpoint, "2.67")


def _api(endpoint: str, method: str, path: str, version: str = "2.67",
         **kw: Any) -> requests.Response:
    return requests.request(method, f"{endpoint}/v2{path}", timeout=10, **kw,
                            headers={"X-Auth-Token": "admin:demo",
                                     "X-OpenStack-Manila-API-Version": version})


def _share(mc: Any, share_type: str = PLAIN, **kw: Any) -> Any:
    return servers.wait_for_status(mc, mc.shares.create("NFS", 1, share_type=share_type,
                                                        **kw).id, timeout=60)


def _counts(mc: Any) -> tuple[int, int]:
    """Shares and replicas that exist and are not on their way out (an earlier test's
    delete may finish meanwhile; a refused request must add nothing)."""
    shares = mc.shares.list(search_opts={"all_tenants": 1})
    return (len([s for s in shares if s.status != "deleting"]),
            len([r for r in mc.share_replicas.list() if r.status != "deleting"]))


# 2.67: only_host on share create ---------------------------------------------------


def test_only_host_places_the_share_on_exactly_that_pool(mc: Any) -> None:
    assert _share(mc).host == LARGE  # left alone: the pool with the most free room
    for pool in (SMALL, MEDIUM, LARGE, SMALL):
        share = _share(mc, scheduler_hints={"only_host": pool})
        assert share.status == "available", share
        assert share.host == pool
        # only_host is a placement, not a property of the share
        assert mc.shares.get(share.id).metadata == {}


def test_only_host_naming_no_pool_ends_in_no_valid_host(mc: Any) -> None:
    for pool in ("testhost@nosuch#p", "testhost@small#q", "otherhost@small#p"):
        share = _share(mc, scheduler_hints={"only_host": pool})
        assert share.status == "error", (pool, share.status)
        assert share.host is None
        assert [m.detail_id for m in mc.messages.list()
                if m.resource_id == share.id] == ["004"]


def test_only_host_combines_with_the_2_65_hints(mc: Any) -> None:
    anchor = _share(mc, scheduler_hints={"only_host": MEDIUM})
    near = _share(mc, scheduler_hints={"only_host": MEDIUM, "same_host": anchor.id})
    assert near.host == MEDIUM
    assert mc.shares.get(near.id).metadata == {"__affinity_same_host": anchor.id}
    # away from the anchor but only on its pool: nowhere
    nowhere = _share(mc, scheduler_hints={"only_host": MEDIUM, "different_host": anchor.id})
    assert nowhere.status == "error"


def test_bad_only_host_is_400_and_writes_nothing(endpoint: str, mc: Any) -> None:
    before = _counts(mc)
    for value in ("", "testhost", "testhost@small", "testhost#p", "@small#p",
                  "testhost@small#p#q", "testhost@sm all#p", "testhost@../x#p",
                  "testhost@small#p;rm -rf /", "x" * 300 + "@small#p", 7, None, ["a@b#c"],
                  {"host": "a@b#c"}):
        resp = _api(endpoint, "POST", "/shares", json={"share": {
            "share_proto": "NFS", "size": 1, "share_type": PLAIN,
            "scheduler_hints": {"only_host": value}}})
        if value is None:  # no hint at all: an ordinary create
            assert resp.status_code == 200, resp.text
            servers.wait_for_status(mc, resp.json()["share"]["id"])
            before = (before[0] + 1, before[1])
            continue
        assert resp.status_code == 400, (value, resp.text)
        assert resp.json()["badRequest"]["code"] == 400
    assert _counts(mc) == before


@pytest.mark.parametrize("version", ["2.65", "2.66"])
def test_only_host_is_refused_before_2_67(endpoint: str, mc: Any, version: str) -> None:
    before = _counts(mc)
    old = servers.manila(endpoint, version)
    with pytest.raises(mc_exc.BadRequest, match="only_host"):
        old.shares.create("NFS", 1, share_type=PLAIN, scheduler_hints={"only_host": SMALL})
    assert _counts(mc) == before
    # the 2.65 hints still work there
    anchor = _share(mc, scheduler_hints={"only_host": SMALL})
    near = _share(old, scheduler_hints={"same_host": anchor.id})
    assert near.host == SMALL


# 2.67: only_host on share replica create -------------------------------------------


def test_replica_create_with_only_host(mc: Any) -> None:
    share = _share(mc, REPLICATED, scheduler_hints={"only_host": SMALL})
    assert share.host == SMALL
    replica = _replica(mc, share, MEDIUM)
    assert replica.status == "available"
    assert replica.host == MEDIUM  # not LARGE, where it would go without the hint
    # a pool that does not exist: the scheduler finds nothing
    lost = _replica(mc, share, "testhost@nosuch#p")
    assert lost.status == "error"
    assert lost.host is None
    assert [m.detail_id for m in mc.messages.list()
            if m.resource_id == lost.id] == ["034"]


def _replica(mc: Any, share: Any, pool: str) -> Any:
    replica = mc.share_replicas.create(share, scheduler_hints={"only_host": pool})

    def settled() -> Any:
        found = mc.share_replicas.get(replica.id)
        return found if found.status in ("available", "error") else None

    return servers.wait_until(settled, what="the replica", timeout=60)


def test_replica_hints_are_checked(endpoint: str, mc: Any) -> None:
    share = _share(mc, REPLICATED, scheduler_hints={"only_host": LARGE})
    before = _counts(mc)
    for hints in ({"same_host": share.id}, {"only_host": SMALL, "different_host": share.id},
                  {"only_host": "small"}, {"only_host": 3}, "only_host"):
        resp = _api(endpoint, "POST", "/share-replicas", json={"share_replica": {
            "share_id": share.id, "scheduler_hints": hints}})
        assert resp.status_code == 400, (hints, resp.text)
        assert "badRequest" in resp.json()
    assert _counts(mc) == before
    # before 2.67 replica create has no scheduler hints: they are ignored, as in Manila
    resp = _api(endpoint, "POST", "/share-replicas", version="2.66", json={
        "share_replica": {"share_id": share.id, "scheduler_hints": {"only_host": SMALL}}})
    assert resp.status_code == 202, resp.text


# 2.66: share group types listed by group specs -------------------------------------


def test_group_types_filtered_by_group_specs(mc: Any, endpoint: str) -> None:
    pool_level = mc.share_group_types.create(
        "gt-pool", [PLAIN], is_public=True,
        group_specs={"consistent_snapshot_support": "pool", "tier": "gold"})
    host_level = mc.share_group_types.create(
        "gt-host", [PLAIN], is_public=True,
        group_specs={"consistent_snapshot_support": "host", "tier": "gold"})
    plain = mc.share_group_types.create("gt-plain", [PLAIN], is_public=True)

    def names(client: Any, specs: dict[str, str]) -> set[str]:
        return {t.name for t in client.share_group_types.list(
            search_opts={"group_specs": specs})}

    everything = {pool_level.name, host_level.name, plain.name}
    at_2_66 = servers.manila(endpoint, "2.66")
    assert names(at_2_66, {"tier": "gold"}) == {"gt-pool", "gt-host"}
    assert names(at_2_66, {"consistent_snapshot_support": "pool"}) == {"gt-pool"}
    assert names(at_2_66, {"consistent_snapshot_support": "host", "tier": "gold"}) == {
        "gt-host"}
    assert names(at_2_66, {"tier": "silver"}) == set()
    assert names(mc, {"tier": "gold"}) == {"gt-pool", "gt-host"}  # and at 2.67
    # before 2.66 the filter does not exist: ignored
    assert names(servers.manila(endpoint, "2.65"), {"tier": "gold"}) >= everything
    # JSON works as well as manilaclient's Python literal; a non-dict is 400
    resp = _api(endpoint, "GET", '/share-group-types?group_specs={"tier":"gold"}',
                version="2.66")
    assert {t["name"] for t in resp.json()["share_group_types"]} == {"gt-pool", "gt-host"}
    bad = _api(endpoint, "GET", "/share-group-types?group_specs=gold", version="2.66")
    assert bad.status_code == 400, bad.text


# the policy: only host admins may name a pool (Keystone) -----------------------------


@pytest.fixture(scope="module")
def keystone_endpoint(keystone: Keystone,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("mv_2_67_keystone")
    groups = {"keystone_authtoken": keystone.authtoken_options()}
    with servers.all_in_one(tmp, {"alpha": servers.dummy_backend("p:100")}, groups,
                            auth_strategy="keystone") as (url, proc):
        keystone.set_sharev2_endpoint(url)
        servers.wait_for_pools(url, 1, token=keystone.token("a-admin"))
        yield url
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def test_only_host_needs_a_host_admin(keystone: Keystone,
                                      keystone_endpoint: str) -> None:
    def client(user: str) -> Any:
        return manila_client.Client("2.67", session=keystone.session(user),
                                    service_type="sharev2")

    admin, member = client("a-admin"), client("a-member")
    admin.share_types.create("ks-plain", spec_driver_handles_share_servers=False)
    pool = "testhost@alpha#p"
    before = len(admin.shares.list(search_opts={"all_tenants": 1}))
    with pytest.raises(mc_exc.Forbidden):
        member.shares.create("NFS", 1, share_type="ks-plain",
                             scheduler_hints={"only_host": pool})
    assert len(admin.shares.list(search_opts={"all_tenants": 1})) == before
    # the member can create shares, just not choose the pool
    mine = servers.wait_for_status(member, member.shares.create(
        "NFS", 1, share_type="ks-plain").id)
    assert mine.status == "available"
    placed = servers.wait_for_status(admin, admin.shares.create(
        "NFS", 1, share_type="ks-plain", scheduler_hints={"only_host": pool}).id)
    assert placed.status == "available"
    assert placed.host == pool
    for share in (mine, placed):
        admin.shares.delete(share)
