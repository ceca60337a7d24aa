"""abaca-api under gunicorn (two workers) with auth_strategy = keystone, on PostgreSQL and
RabbitMQ: every worker builds its own auth_token middleware and policy enforcer from the
service's config, and each answers with the same identities and outcomes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.fixtures.keystone import Keystone
from tests.fixtures.servers import (
    Proc,
    base_config,
    command,
    free_port,
    wait_for_api,
    write_config,
)
from tests.integration.conftest import db_sync

pytestmark = pytest.mark.integration

VERSION = {"X-OpenStack-Manila-API-Version": "2.65"}


@pytest.fixture
def api(tmp_path: Path, transport_url: str, database_url: str,
        keystone: Keystone) -> Iterator[str]:
    port = free_port()
    sections = base_config(tmp_path / "state", port, {},
                           {"keystone_authtoken": keystone.authtoken_options()},
                           transport_url=transport_url, auth_strategy="keystone")
    sections["database"] = {"connection": database_url}
    config = write_config(tmp_path / "abaca.conf", sections)
    db_sync(config, tmp_path / "db-sync.log")
    proc: Proc = command("abaca-api", config, tmp_path / "api.log").start()
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_api(url, proc)
        keystone.set_sharev2_endpoint(url)
        yield url
    finally:
        proc.stop()
    assert not proc.alive()
    log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def _get(url: str, token: str | None, path: str) -> requests.Response:
    headers = dict(VERSION)
    if token:
        headers["X-Auth-Token"] = token
    return requests.get(f"{url}/v2{path}", headers=headers, timeout=30)


def test_gunicorn_workers_authenticate_and_authorise(api: str,
                                                     keystone: Keystone) -> None:
    member, reader = keystone.token("a-member"), keystone.token("a-reader")
    other, admin = keystone.token("b-member"), keystone.token("a-admin")
    for _ in range(4):  # spread over both workers (new connection each time)
        resp = _get(api, None, "/shares")
        assert resp.status_code == 401
        assert resp.json()["unauthorized"]["code"] == 401
        assert requests.get(f"{api}/v2/", timeout=10).status_code == 200
    created = requests.post(f"{api}/v2/shares", headers={**VERSION, "X-Auth-Token": member},
                            json={"share": {"share_proto": "NFS", "size": 1}}, timeout=30)
    assert created.status_code == 200, created.text
    share = created.json()["share"]
    assert share["project_id"] == keystone.project_ids["project-a"]
    assert share["user_id"] == keystone.user_ids["a-member"]
    refused = requests.post(f"{api}/v2/shares", headers={**VERSION, "X-Auth-Token": reader},
                            json={"share": {"share_proto": "NFS", "size": 1}}, timeout=30)
    assert refused.status_code == 403
    assert refused.json()["forbidden"]["message"] == \
        "Policy doesn't allow share:create to be performed."
    for _ in range(4):
        assert _get(api, reader, f"/shares/{share['id']}").status_code == 200
        assert _get(api, other, f"/shares/{share['id']}").status_code == 404
        assert _get(api, member, "/services").status_code == 403
        assert _get(api, admin, "/services").status_code == 200
    assert share["id"] in {s["id"] for s in _get(api, admin, "/shares?all_tenants=1")
                           .json()["shares"]}
    assert _get(api, other, "/shares").json()["shares"] == []
