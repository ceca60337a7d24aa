"""keystonemiddleware's auth_token as Abaca wraps it, with a Keystone that is not
there: the version documents stay open, no token is 401 and an unreachable Keystone is
503, both with Manila's error body."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import webob

from abaca import conf as confmod
from abaca.api.middleware.auth import with_auth_token
from tests.fixtures.procs import free_port


def _wrapped(tmp_path: Path) -> Any:
    dead = f"http://127.0.0.1:{free_port()}/v3"  # nothing listens there
    (tmp_path / "abaca.conf").write_text(
        f"[DEFAULT]\nauth_strategy = keystone\nstate_path = {tmp_path / 'state'}\n"
        f"[keystone_authtoken]\nauth_type = password\nauth_url = {dead}\n"
        f"www_authenticate_uri = {dead}\nusername = abaca\npassword = pw\n"
        "project_name = service\nuser_domain_id = default\nproject_domain_id = default\n"
        "http_request_max_retries = 0\nhttp_connect_timeout = 2\n")
    conf = confmod.load(["--config-file", str(tmp_path / "abaca.conf")],
                        with_backends=False)

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"reached the app"]

    return with_auth_token(app, conf), dead


def test_open_paths_need_no_token(tmp_path: Path) -> None:
    wrapped, _ = _wrapped(tmp_path)
    for path in ("/", "/v2", "/v2/", "/openapi.json"):
        resp = webob.Request.blank(path).get_response(wrapped)
        assert (resp.status_code, resp.body) == (200, b"reached the app"), path


def test_no_token_is_401_and_an_unreachable_keystone_503(tmp_path: Path) -> None:
    wrapped, dead = _wrapped(tmp_path)
    resp = webob.Request.blank("/v2/shares").get_response(wrapped)
    assert resp.status_code == 401
    assert resp.json == {"unauthorized": {
        "code": 401, "message": "The request you have made requires authentication."}}
    assert resp.headers["WWW-Authenticate"] == f'Keystone uri="{dead}"'
    resp = webob.Request.blank("/v2/shares",
                               headers={"X-Auth-Token": "some-token"}).get_response(wrapped)
    assert resp.status_code == 503
    assert resp.json["serviceUnavailable"]["code"] == 503
    assert "Keystone" in resp.json["serviceUnavailable"]["message"]
