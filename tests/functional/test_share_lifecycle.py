"""The share lifecycle through python-manilaclient over real HTTP."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers


def _names(shares: list[Any]) -> set[str]:
    return {s.name for s in shares}


def test_nfs_and_cifs_shares_from_create_to_delete(mc: Any, aio_dir: Path) -> None:
    nfs = mc.shares.create("NFS", 1, name="life-nfs", description="first",
                           metadata={"tier": "gold"})
    cifs = mc.shares.create("CIFS", 2, name="life-cifs")
    assert nfs.status == "creating"
    nfs = servers.wait_for_status(mc, nfs.id)
    cifs = servers.wait_for_status(mc, cifs.id)
    assert (nfs.status, cifs.status) == ("available", "available")
    assert nfs.share_proto == "NFS" and cifs.share_proto == "CIFS"
    assert nfs.size == 1 and cifs.size == 2
    assert "#" in nfs.host and "@" in nfs.host

    # list with filters
    assert _names(mc.shares.list(search_opts={"name": "life-nfs"})) == {"life-nfs"}
    assert {"life-nfs", "life-cifs"} <= _names(mc.shares.list(search_opts={
        "status": "available"}))
    assert "life-cifs" in _names(mc.shares.list(search_opts={"share_proto": "CIFS"}))
    assert "life-nfs" not in _names(mc.shares.list(search_opts={"share_proto": "CIFS"}))
    assert _names(mc.shares.list(search_opts={"metadata": {"tier": "gold"}})) == {"life-nfs"}

    # show and rename
    shown = mc.shares.get(nfs.id)
    assert shown.description == "first" and shown.metadata == {"tier": "gold"}
    mc.shares.update(nfs, display_name="life-renamed", display_description="second")
    shown = mc.shares.get(nfs.id)
    assert (shown.name, shown.description) == ("life-renamed", "second")

    # metadata: set merges, unset removes, update_all replaces
    mc.shares.set_metadata(nfs, {"owner": "ops"})
    assert mc.shares.get_metadata(nfs)._info == {"tier": "gold", "owner": "ops"}
    mc.shares.delete_metadata(nfs, ["tier"])
    assert mc.shares.get_metadata(nfs)._info == {"owner": "ops"}
    mc.shares.update_all_metadata(nfs, {"only": "this"})
    assert mc.shares.get_metadata(nfs)._info == {"only": "this"}
    with pytest.raises(api_exc.NotFound):
        mc.shares.delete_metadata(nfs, ["missing"])

    # export locations
    nfs_locations = mc.share_export_locations.list(nfs)
    assert len(nfs_locations) == 1 and ":/" in nfs_locations[0].path
    one = mc.share_export_locations.get(nfs, nfs_locations[0].id)
    assert one.path == nfs_locations[0].path and one.preferred is True
    cifs_path = mc.share_export_locations.list(cifs)[0].path
    assert cifs_path.startswith("\\\\")

    # delete: gone from show and list
    mc.shares.delete(nfs)
    mc.shares.delete(cifs)
    for share in (nfs, cifs):
        servers.wait_until(lambda s=share: _gone(mc, s.id), what="share deleted")
    assert not {"life-renamed", "life-cifs"} & _names(mc.shares.list())

    # soft-deleted: the rows remain, marked, and no API shows them
    with sqlite3.connect(aio_dir / "state" / "abaca.sqlite") as db:
        rows = db.execute("SELECT deleted, deleted_at FROM shares WHERE id IN (?, ?)",
                          (nfs.id, cifs.id)).fetchall()
        meta = db.execute("SELECT count(*) FROM share_metadata WHERE share_id = ? "
                          "AND deleted = ''", (nfs.id,)).fetchone()
    assert len(rows) == 2 and all(deleted and at for deleted, at in rows)
    assert meta == (0,)


def _gone(mc: Any, share_id: str) -> bool:
    try:
        mc.shares.get(share_id)
    except api_exc.NotFound:
        return True
    return False


def test_share_type_places_every_share_on_the_matching_backend(mc: Any) -> None:
    st = mc.share_types.create("ssd-only", spec_driver_handles_share_servers=False,
                               extra_specs={"disk_type": "ssd"})
    assert st.extra_specs["disk_type"] == "ssd"
    ids = [mc.shares.create("NFS", 1, share_type="ssd-only").id for _ in range(6)]
    hosts = {servers.wait_for_status(mc, i).host for i in ids}
    assert all(h.startswith("testhost@beta#") for h in hosts), hosts
    assert {mc.shares.get(i).status for i in ids} == {"available"}
    assert {mc.shares.get(i).availability_zone for i in ids} == {"zone-b"}
    for i in ids:
        mc.shares.delete(i)


def test_unsatisfiable_share_type_ends_in_error_with_a_user_message(mc: Any) -> None:
    mc.share_types.create("nvme-only", spec_driver_handles_share_servers=False,
                          extra_specs={"disk_type": "nvme"})
    share = mc.shares.create("NFS", 1, share_type="nvme-only", name="no-host")
    share = servers.wait_for_status(mc, share.id)
    assert share.status == "error"
    messages = [m for m in mc.messages.list() if m.resource_id == share.id]
    assert len(messages) == 1
    assert messages[0].action_id == "001" and messages[0].detail_id == "004"
    assert "No storage could be allocated" in messages[0].user_message
    mc.shares.delete(share)  # never placed: deleted at once
    assert _gone(mc, share.id)


def test_availability_zone_request_is_honoured(mc: Any) -> None:
    share = mc.shares.create("NFS", 1, availability_zone="zone-b")
    share = servers.wait_for_status(mc, share.id)
    assert share.host.startswith("testhost@beta#")
    with pytest.raises(api_exc.NotFound):
        mc.shares.create("NFS", 1, availability_zone="no-such-zone")
    mc.shares.delete(share)


def test_concurrent_creates_all_become_available(mc: Any, endpoint: str) -> None:
    """SQLite under all three services in one process: no 'database is locked'."""
    # One client per request: manilaclient's completion cache is not thread-safe (it
    # keeps the open cache file on the shared manager).
    def create(i: int) -> Any:
        return servers.manila(endpoint).shares.create("NFS", 1, name=f"burst-{i}")

    def delete(share_id: str) -> None:
        servers.manila(endpoint).shares.delete(share_id)

    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(create, range(40)))
    done = [servers.wait_for_status(mc, s.id) for s in created]
    assert {s.status for s in done} == {"available"}
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(delete, [s.id for s in created]))
    servers.wait_until(lambda: not [s for s in mc.shares.list()
                                    if (s.name or "").startswith("burst-")],
                       what="burst shares deleted")


def test_admin_views_services_zones_pools_and_limits(mc: Any) -> None:
    services = {(s.binary, s.host): s for s in mc.services.list()}
    assert services[("abaca-share", "testhost@alpha")].state == "up"
    assert services[("abaca-share", "testhost@beta")].zone == "zone-b"
    assert services[("abaca-scheduler", "testhost")].status == "enabled"
    zones = {z.name for z in mc.availability_zones.list()}
    assert {"nova", "zone-b"} <= zones
    pools = {p.name for p in mc.pools.list()}
    assert pools == {"testhost@alpha#p1", "testhost@alpha#p2", "testhost@beta#fast"}
    only_beta = mc.pools.list(search_opts={"backend": "beta"})
    assert [p.name for p in only_beta] == ["testhost@beta#fast"]
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 3, name="counted").id)
    absolute = mc.limits.get()._info["absolute"]
    assert absolute["maxTotalShares"] == 50
    assert absolute["totalSharesUsed"] >= 1 and absolute["totalShareGigabytesUsed"] >= 3
    mc.shares.delete(share)


def test_a_disabled_backend_is_skipped_until_enabled_again(mc: Any) -> None:
    mc.share_types.create("ssd-disable", spec_driver_handles_share_servers=False,
                          extra_specs={"disk_type": "ssd"})
    mc.services.disable("testhost@beta", "abaca-share")
    try:
        assert {s.status for s in mc.services.list(search_opts={
            "host": "testhost@beta"})} == {"disabled"}
        refused = servers.wait_for_status(mc, mc.shares.create(
            "NFS", 1, share_type="ssd-disable").id)
        assert refused.status == "error"
    finally:
        mc.services.enable("testhost@beta", "abaca-share")
    placed = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type="ssd-disable").id)
    assert placed.status == "available" and placed.host.startswith("testhost@beta#")
    mc.shares.delete(refused)
    mc.shares.delete(placed)
