"""The OpenAPI document: served without a token, covers every route, and fuzzing it
with schemathesis (property-based requests from the document) finds no 5xx."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import falcon.inspect
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.fixtures import servers

BACKENDS = {"alpha": servers.dummy_backend("p1:100,p2:200")}
TOKEN = {"X-Auth-Token": "admin:demo"}


@pytest.fixture(scope="module")
def fuzz_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with servers.all_in_one(tmp_path_factory.mktemp("openapi"), BACKENDS) as (url, proc):
        servers.wait_for_pools(url, 2)
        yield url
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture(scope="module")
def api_schema(fuzz_endpoint: str) -> Any:
    schema = schemathesis.openapi.from_url(f"{fuzz_endpoint}/openapi.json")
    schema.config.base_url = fuzz_endpoint
    return schema


def test_document_is_served_without_a_token_and_lists_every_route(
        fuzz_endpoint: str) -> None:
    from abaca.api.app import add_routes

    resp = requests.get(f"{fuzz_endpoint}/openapi.json", timeout=10)
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["version"] == "2.67"

    # Every route the application registers is documented with its methods.
    app: Any = falcon.App()
    add_routes(app, deps=_NoDeps())  # type: ignore[arg-type]
    expected = {(r.path, m.method.lower()) for r in falcon.inspect.inspect_routes(app)
                for m in r.methods if not m.internal}
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert expected - documented == set()
    create = doc["paths"]["/v2/shares"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["share"]["required"] == ["share_proto", "size"]
    assert any(p["name"] == "X-OpenStack-Manila-API-Version" for p in create["parameters"])


class _NoDeps:
    """Stands in for the resources' dependencies: only the route table is read."""

    def __getattr__(self, name: str) -> Any:
        return None


def _offline_document() -> dict[str, Any]:
    """The document as the service builds it, from the route table alone."""
    from abaca.api.app import add_routes
    from abaca.api.openapi.document import build

    app: Any = falcon.App()
    add_routes(app, deps=_NoDeps())  # type: ignore[arg-type]
    return build(app)


_OFFLINE = schemathesis.openapi.from_dict(_offline_document())
_OPERATIONS = sorted(op.ok().label for op in _OFFLINE.get_all_operations())


@pytest.mark.parametrize("label", _OPERATIONS)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
def test_fuzzing_finds_no_server_error(api_schema: Any, fuzz_endpoint: str, label: str,
                                       mode: GenerationMode) -> None:
    operation = api_schema[label.split(" ", 1)[1]][label.split(" ", 1)[0]]
    session = requests.Session()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=10, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        headers = dict(TOKEN)
        version = (case.headers or {}).get("X-OpenStack-Manila-API-Version")
        if isinstance(version, str) and re.fullmatch(r"2\.\d{1,2}", version):
            headers["X-OpenStack-Manila-API-Version"] = version
        case.call_and_validate(base_url=fuzz_endpoint, session=session, headers=headers,
                               checks=[not_a_server_error], timeout=30)

    run()


_WRONG_VALUES: list[Any] = [["a", "list"], {"an": "object"}, 12345, True, None, "x" * 5000]


def _variants(schema: dict[str, Any]) -> Iterator[Any]:
    """Bodies that keep the document's shape but put a wrongly typed value in one place
    at a time: under each top-level key, and in each property of the object there."""
    for option in schema.get("oneOf", [schema]):
        for key, inner in option.get("properties", {}).items():
            for wrong in _WRONG_VALUES:
                yield {key: wrong}
            for prop in inner.get("properties", {}):
                for wrong in _WRONG_VALUES:
                    yield {key: {prop: wrong}}


def test_every_body_field_with_a_wrong_type_is_a_4xx(fuzz_endpoint: str) -> None:
    """Directed at what random fuzzing may miss: for every documented request body, each
    field in turn gets a list, an object, a number, a boolean, null or a huge string, on
    real resources (a share and a snapshot of this test), at the maximum version."""
    mc = servers.manila(fuzz_endpoint, "2.65")
    stype = mc.share_types.create("fuzz-snapshots", spec_driver_handles_share_servers=False,
                                  extra_specs={"snapshot_support": "True"})
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1, share_type=stype.id).id)
    snap = mc.share_snapshots.create(share)
    servers.wait_until(lambda: mc.share_snapshots.get(snap.id).status == "available",
                       what="snapshot available")
    ids = {"share_id": share.id, "snapshot_id": snap.id, "type_id": stype.id,
           "project_id": "demo"}
    doc = requests.get(f"{fuzz_endpoint}/openapi.json", timeout=10).json()
    headers = {**TOKEN, "X-OpenStack-Manila-API-Version": "2.65",
               "X-OpenStack-Manila-API-Experimental": "true"}
    failures: list[str] = []
    sent = 0
    with requests.Session() as session:
        for path, item in doc["paths"].items():
            url = fuzz_endpoint + re.sub(r"{([^}]+)}", lambda m: ids.get(m.group(1), "x"),
                                         path)
            for method, operation in item.items():
                body = operation.get("requestBody")
                if body is None:
                    continue
                for variant in _variants(body["content"]["application/json"]["schema"]):
                    resp = session.request(method.upper(), url, json=variant,
                                           headers=headers, timeout=30)
                    sent += 1
                    if resp.status_code >= 500:
                        failures.append(f"{method.upper()} {path} {variant!r:.120} -> "
                                        f"{resp.status_code}")
    assert sent > 500
    assert failures == []
