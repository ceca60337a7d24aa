"""Authentication strategies. ``noauth``: the token is ``user:project``; all are admins.

Without a token, noauth answers the legacy handshake (204 with X-Auth-Token and
X-Server-Management-Url), as Manila does. Version documents need no token.
"""

from __future__ import annotations

import falcon

from abaca.api.middleware.request import UNVERSIONED
from abaca.common.context import RequestContext


class NoAuth:
    def __init__(self, *, v2_60_urls: bool) -> None:
        self.v2_60_urls = v2_60_urls

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.path in UNVERSIONED or req.path == "/openapi.json":
            req.context.ctx = RequestContext(user_id=None, project_id=None,
                                             request_id=req.context.request_id)
            return
        token = req.get_header("X-Auth-Token")
        if not token:
            user = req.get_header("X-Auth-User") or "admin"
            project = req.get_header("X-Auth-Project-Id") or "admin"
            url = req.url.rstrip("/")
            resp.set_header("X-Auth-Token", f"{user}:{project}")
            resp.set_header("X-Server-Management-Url",
                            url if self.v2_60_urls else f"{url}/{project}")
            resp.status = 204
            resp.complete = True
            return
        user, _, project = token.partition(":")
        req.context.ctx = RequestContext(user_id=user, project_id=project or user,
                                         roles=("admin",), is_admin=True,
                                         request_id=req.context.request_id)
