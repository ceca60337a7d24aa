"""Request ids, microversion negotiation and the echo headers."""

from __future__ import annotations

import falcon

from abaca.api import microversion
from abaca.common.context import new_request_id

UNVERSIONED = ("/", "/v2", "/v2/", "/healthcheck")


class RequestIds:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.request_id = new_request_id()
        resp.set_header("x-openstack-request-id", req.context.request_id)
        resp.set_header("x-compute-request-id", req.context.request_id)


class Microversions:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.api_version = microversion.MIN_VERSION
        if req.path in UNVERSIONED or not req.path.startswith("/v2/"):
            return
        req.context.api_version = microversion.negotiate(req.get_header(microversion.HEADER))
        resp.set_header(microversion.HEADER, str(req.context.api_version))
        resp.append_header("Vary", microversion.HEADER)
