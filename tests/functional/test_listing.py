"""Share lists: filters, sorting, limit/offset/marker, with_count, visibility."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.fixtures import servers

H = {"X-Auth-Token": "admin:listing", "X-OpenStack-Manila-API-Version": "2.42"}


@pytest.fixture(scope="module")
def listed(endpoint: str) -> list[dict[str, Any]]:
    mc = servers.manila(endpoint, "2.42", token="admin:listing")
    made = [mc.shares.create("NFS", size, name=f"page-{size}", description=f"d{size % 2}")
            for size in (3, 1, 4, 5, 2)]
    for share in made:
        servers.wait_for_status(mc, share.id)
    return [{"id": s.id, "size": s.size} for s in made]


def _list(endpoint: str, query: str, token: str = "admin:listing") -> dict[str, Any]:
    resp = requests.get(f"{endpoint}/v2/shares/detail?{query}",
                        headers={**H, "X-Auth-Token": token}, timeout=10)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_sorting_by_size_both_ways(endpoint: str, listed: list[dict[str, Any]]) -> None:
    asc = [s["size"] for s in _list(endpoint, "sort_key=size&sort_dir=asc")["shares"]]
    assert asc == [1, 2, 3, 4, 5]
    desc = [s["size"] for s in _list(endpoint, "sort_key=size&sort_dir=desc")["shares"]]
    assert desc == [5, 4, 3, 2, 1]


def test_limit_offset_and_marker_walk_every_share_once(
        endpoint: str, listed: list[dict[str, Any]]) -> None:
    first = _list(endpoint, "sort_key=size&sort_dir=asc&limit=2")["shares"]
    assert [s["size"] for s in first] == [1, 2]
    second = _list(endpoint, f"sort_key=size&sort_dir=asc&limit=2&marker={first[-1]['id']}")
    assert [s["size"] for s in second["shares"]] == [3, 4]
    offset = _list(endpoint, "sort_key=size&sort_dir=asc&limit=2&offset=4")["shares"]
    assert [s["size"] for s in offset] == [5]
    seen, marker = [], ""
    while True:
        page = _list(endpoint, f"sort_key=created_at&limit=2{marker}")["shares"]
        if not page:
            break
        seen += [s["id"] for s in page]
        marker = f"&marker={page[-1]['id']}"
    assert sorted(seen) == sorted(s["id"] for s in listed)


def test_with_count_and_inexact_filters(endpoint: str, listed: list[dict[str, Any]]) -> None:
    counted = _list(endpoint, "limit=1&with_count=true")
    assert counted["count"] == 5 and len(counted["shares"]) == 1
    assert len(_list(endpoint, "description~=d1")["shares"]) == 3
    assert {s["name"] for s in _list(endpoint, "name~=PAGE-4")["shares"]} == {"page-4"}
    assert _list(endpoint, "size=4")["shares"][0]["name"] == "page-4"


def test_bad_list_parameters(endpoint: str, listed: list[dict[str, Any]]) -> None:
    for query in ("sort_key=nonsense", "sort_dir=sideways", "limit=-1", "limit=abc",
                  "marker=does-not-exist", "metadata=not-a-dict"):
        resp = requests.get(f"{endpoint}/v2/shares?{query}", headers=H, timeout=10)
        assert resp.status_code == 400, query
        assert "badRequest" in resp.json()


def test_projects_see_only_their_shares(endpoint: str, listed: list[dict[str, Any]]) -> None:
    assert _list(endpoint, "", token="admin:someone-else")["shares"] == []
    everyone = _list(endpoint, "all_tenants=1", token="admin:someone-else")["shares"]
    assert {s["id"] for s in listed} <= {s["id"] for s in everyone}
    scoped = _list(endpoint, "all_tenants=1&project_id=listing",
                   token="admin:someone-else")["shares"]
    assert {s["project_id"] for s in scoped} == {"listing"}


def test_summary_list_has_ids_names_and_links(endpoint: str,
                                              listed: list[dict[str, Any]]) -> None:
    resp = requests.get(f"{endpoint}/v2/shares?sort_key=size&sort_dir=asc", headers=H,
                        timeout=10)
    first = resp.json()["shares"][0]
    assert set(first) == {"id", "name", "links"}
    assert first["links"][0]["href"].endswith(f"/v2/listing/shares/{first['id']}")


def test_snapshot_lists_sort_and_page(endpoint: str) -> None:
    mc = servers.manila(endpoint, "2.42", token="admin:snaplisting")
    mc.share_types.create("listing-snaps", spec_driver_handles_share_servers=False,
                          extra_specs={"snapshot_support": "True"})
    share = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type="listing-snaps").id)
    for name in ("b", "c", "a"):
        snap = mc.share_snapshots.create(share, name=f"snap-{name}")
        servers.wait_until(lambda s=snap: mc.share_snapshots.get(s.id).status == "available",
                           what="the snapshot")
    headers = {**H, "X-Auth-Token": "admin:snaplisting"}

    def names(query: str) -> list[str]:
        resp = requests.get(f"{endpoint}/v2/snapshots/detail?{query}", headers=headers,
                            timeout=10)
        assert resp.status_code == 200, resp.text
        return [s["name"] for s in resp.json()["snapshots"]]

    assert names("sort_key=name&sort_dir=asc") == ["snap-a", "snap-b", "snap-c"]
    assert names("sort_key=name&sort_dir=desc&limit=2") == ["snap-c", "snap-b"]
    assert names("sort_key=name&sort_dir=asc&limit=2&offset=2") == ["snap-c"]
    assert names("sort_key=created_at&sort_dir=asc") == ["snap-b", "snap-c", "snap-a"]
    for query in ("sort_key=nope", "sort_dir=sideways", "limit=-1", "offset=x"):
        resp = requests.get(f"{endpoint}/v2/snapshots/detail?{query}", headers=headers,
                            timeout=10)
        assert resp.status_code == 400, (query, resp.text)
        assert resp.json()["badRequest"]["message"], query
