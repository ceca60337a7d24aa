"""Versions, microversions, URL forms and Manila's error bodies over raw HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

TOKEN = {"X-Auth-Token": "admin:demo"}


def _get(endpoint: str, path: str, version: str | None = None, **kw: Any) -> requests.Response:
    headers = dict(TOKEN)
    if version:
        headers["X-OpenStack-Manila-API-Version"] = version
    return requests.get(endpoint + path, headers=headers, timeout=10, **kw)


def _fault(resp: requests.Response, code: int) -> str:
    """Manila's error body: one key naming the fault, with code and message."""
    assert resp.status_code == code, resp.text
    body = resp.json()
    assert len(body) == 1
    (fault,) = body.values()
    assert fault["code"] == code and fault["message"]
    return str(fault["message"])


@pytest.mark.parametrize("path", ["/", "/v2/", "/v2"])
def test_version_documents_need_no_token(endpoint: str, path: str) -> None:
    resp = requests.get(endpoint + path, timeout=10)
    assert resp.status_code == 200
    versions = resp.json()["versions"]
    assert len(versions) == 1
    assert versions[0]["id"] == "v2.0" and versions[0]["min_version"] == "2.0"
    assert versions[0]["version"] == "2.67"
    assert versions[0]["links"][1]["href"].endswith("/v2/")


def test_microversion_negotiation(endpoint: str) -> None:
    plain = _get(endpoint, "/v2/shares")
    assert plain.status_code == 200
    assert plain.headers["X-OpenStack-Manila-API-Version"] == "2.0"
    assert "X-OpenStack-Manila-API-Version" in plain.headers["Vary"]
    echoed = _get(endpoint, "/v2/shares", "2.31")
    assert echoed.headers["X-OpenStack-Manila-API-Version"] == "2.31"
    assert "Version 9.99 is not supported" in _fault(
        _get(endpoint, "/v2/shares", "9.99"), 406)
    _fault(_get(endpoint, "/v2/shares", "2.999"), 406)
    assert "invalid format" in _fault(_get(endpoint, "/v2/shares", "two"), 400)


def test_method_not_in_the_requested_version_is_404(endpoint: str, mc: Any) -> None:
    from tests.fixtures import servers

    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1).id)
    path = f"/v2/shares/{share.id}/export_locations"
    _fault(_get(endpoint, path, "2.8"), 404)
    assert _get(endpoint, path, "2.9").status_code == 200
    _fault(_get(endpoint, "/v2/messages", "2.36"), 404)
    _fault(_get(endpoint, "/v2/availability-zones", "2.6"), 404)
    assert _get(endpoint, "/v2/os-availability-zone", "2.6").status_code == 200
    _fault(_get(endpoint, "/v2/os-availability-zone", "2.7"), 404)
    old = _get(endpoint, f"/v2/shares/{share.id}", "2.8").json()["share"]
    assert "export_locations" in old and "access_rules_status" not in old
    new = _get(endpoint, f"/v2/shares/{share.id}", "2.42").json()["share"]
    assert "export_locations" not in new and new["access_rules_status"] == "active"
    mc.shares.delete(share)


def test_routes_answer_with_and_without_project_id(endpoint: str, mc: Any) -> None:
    from tests.fixtures import servers

    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1, name="both-urls").id)
    with_project = _get(endpoint, f"/v2/demo/shares/{share.id}", "2.42")
    without = _get(endpoint, f"/v2/shares/{share.id}", "2.42")
    assert with_project.status_code == without.status_code == 200
    assert with_project.json()["share"]["name"] == without.json()["share"]["name"]
    listed = _get(endpoint, "/v2/demo/shares?name=both-urls", "2.42").json()["shares"]
    assert [s["id"] for s in listed] == [share.id]
    mc.shares.delete(share)


def test_unknown_route_and_method(endpoint: str) -> None:
    _fault(_get(endpoint, "/v2/no-such-thing"), 404)
    resp = requests.patch(endpoint + "/v2/shares", headers=TOKEN, timeout=10)
    _fault(resp, 405)
    _fault(_get(endpoint, "/v2/shares/00000000-0000-0000-0000-000000000000"), 404)


def test_noauth_handshake_without_token(endpoint: str) -> None:
    resp = requests.get(endpoint + "/v2/shares", headers={"X-Auth-User": "alice",
                                                          "X-Auth-Project-Id": "p1"},
                        timeout=10)
    assert resp.status_code == 204
    assert resp.headers["X-Auth-Token"] == "alice:p1"


def _count(endpoint: str) -> int:
    """Shares that exist and are not on their way out (an earlier test's delete may
    finish while a test runs; a refused request must add nothing)."""
    body = _get(endpoint, "/v2/shares/detail?all_tenants=1", "2.42").json()
    return len([s for s in body["shares"] if s["status"] != "deleting"])


BAD_SHARES: list[tuple[str, Any, int, str]] = [
    ("unknown protocol", {"share": {"share_proto": "GLUSTERFS", "size": 1}}, 400,
     "protocol"),
    ("no protocol", {"share": {"size": 1}}, 400, "protocol"),
    ("size zero", {"share": {"share_proto": "NFS", "size": 0}}, 400, "size"),
    ("negative size", {"share": {"share_proto": "NFS", "size": -5}}, 400, "size"),
    ("string size", {"share": {"share_proto": "NFS", "size": "big"}}, 400, "size"),
    ("boolean size", {"share": {"share_proto": "NFS", "size": True}}, 400, "size"),
    ("float size", {"share": {"share_proto": "NFS", "size": 1.5}}, 400, "size"),
    ("huge size", {"share": {"share_proto": "NFS", "size": 2**40}}, 400, "size"),
    ("unknown share type", {"share": {"share_proto": "NFS", "size": 1,
                                      "share_type": "no-such-type"}}, 404, "no-such-type"),
    ("metadata not an object", {"share": {"share_proto": "NFS", "size": 1,
                                          "metadata": ["a"]}}, 400, "metadata"),
    ("metadata value not text", {"share": {"share_proto": "NFS", "size": 1,
                                           "metadata": {"a": {"b": 1}}}}, 400, "metadata"),
    ("name too long", {"share": {"share_proto": "NFS", "size": 1, "name": "n" * 256}}, 400,
     "name"),
    ("newline in name", {"share": {"share_proto": "NFS", "size": 1, "name": "a\nb"}}, 400,
     "name"),
    ("is_public not boolean", {"share": {"share_proto": "NFS", "size": 1,
                                         "is_public": "maybe"}}, 400, "is_public"),
    ("share not an object", {"share": "NFS"}, 400, "share"),
    ("body a list", [1, 2], 400, "share"),
    ("unknown snapshot", {"share": {"share_proto": "NFS", "size": 1,
                                    "snapshot_id": "0c5b5c8a-1111-2222-3333-444455556666"}},
     404, "Snapshot"),
    ("over the gigabytes quota", {"share": {"share_proto": "NFS", "size": 5000}}, 413,
     "gigabytes"),
]


@pytest.mark.parametrize(("case", "body", "code", "word"), BAD_SHARES,
                         ids=[c[0] for c in BAD_SHARES])
def test_bad_share_requests_are_refused_and_write_nothing(
        endpoint: str, case: str, body: Any, code: int, word: str) -> None:
    before = _count(endpoint)
    resp = requests.post(endpoint + "/v2/shares", data=json.dumps(body),
                         headers={**TOKEN, "X-OpenStack-Manila-API-Version": "2.42",
                                  "Content-Type": "application/json"}, timeout=10)
    assert word.lower() in _fault(resp, code).lower()
    assert _count(endpoint) == before


@pytest.mark.parametrize(("case", "data", "code"), [
    ("malformed JSON", b'{"share": {"share_proto": "NFS", "size": 1', 400),
    ("empty body", b"", 400),
    ("not UTF-8", b'{"share": "\xff\xfe"}', 400),
    ("oversized body", b'{"share": {"share_proto": "NFS", "size": 1, "description": "'
     + b"x" * 120000 + b'"}}', 413),
])
def test_unparseable_bodies_are_refused(endpoint: str, case: str, data: bytes,
                                        code: int) -> None:
    before = _count(endpoint)
    resp = requests.post(endpoint + "/v2/shares", data=data,
                         headers={**TOKEN, "Content-Type": "application/json"}, timeout=10)
    _fault(resp, code)
    assert _count(endpoint) == before


def test_dhss_share_type_needs_a_share_network(endpoint: str, mc: Any) -> None:
    mc.share_types.create("multi-tenant", spec_driver_handles_share_servers=True)
    before = _count(endpoint)
    resp = requests.post(endpoint + "/v2/shares", json={"share": {
        "share_proto": "NFS", "size": 1, "share_type": "multi-tenant"}},
        headers={**TOKEN, "X-OpenStack-Manila-API-Version": "2.42"}, timeout=10)
    assert "Share network must be set" in _fault(resp, 400)
    assert _count(endpoint) == before


def test_deleting_a_share_twice_is_refused(endpoint: str, mc: Any) -> None:
    from tests.fixtures import servers

    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1).id)
    first = requests.delete(f"{endpoint}/v2/shares/{share.id}", headers=TOKEN, timeout=10)
    assert first.status_code == 202
    second = requests.delete(f"{endpoint}/v2/shares/{share.id}", headers=TOKEN, timeout=10)
    assert second.status_code in (403, 404)
