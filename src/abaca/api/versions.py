"""The version documents at / and /v2/, answered without a token."""

from __future__ import annotations

import falcon

from abaca.api import microversion
from abaca.api.common import base_url, send


def version_entry(req: falcon.Request) -> dict[str, object]:
    return {
        "id": "v2.0",
        "status": "CURRENT",
        "version": str(microversion.MAX_VERSION),
        "min_version": str(microversion.MIN_VERSION),
        "updated": "2015-08-27T11:33:21Z",
        "links": [
            {"rel": "describedby", "type": "text/html",
             "href": "https://docs.openstack.org/"},
            {"rel": "self", "href": f"{base_url(req)}/v2/"},
        ],
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.share+json;version=1"}],
    }


class Versions:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, {"versions": [version_entry(req)]})
