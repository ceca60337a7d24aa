"""Share types as each microversion shows them."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, ctx
from abaca.db.models import ShareType
from abaca.services.share_types import REQUIRED_SPECS, TENANT_VISIBLE_SPECS


def share_type(req: falcon.Request, st: ShareType, default_id: str | None) -> dict[str, Any]:
    specs = st.specs()
    if not ctx(req).is_admin:
        specs = {k: v for k, v in specs.items() if k in TENANT_VISIBLE_SPECS}
    body: dict[str, Any] = {
        "id": st.id,
        "name": st.name,
        "extra_specs": specs,
        "required_extra_specs": {k: v for k, v in st.specs().items() if k in REQUIRED_SPECS},
    }
    public_key = ("share_type_access:is_public" if at_least(req, "2.7")
                  else "os-share-type-access:is_public")
    body[public_key] = st.is_public
    if at_least(req, "2.41"):
        body["description"] = st.description
    if at_least(req, "2.46"):
        body["is_default"] = st.id == default_id
    return body
