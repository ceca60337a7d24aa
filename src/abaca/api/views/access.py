"""Access rules as each microversion shows them."""

from __future__ import annotations

from typing import Any

import falcon

from abaca.api.common import at_least, isotime
from abaca.common.states import AccessState
from abaca.db.models import ShareAccessRule

# Before 2.28 rules had three states: new, active, error.
_OLD_STATES: dict[str, str] = {
    AccessState.QUEUED_TO_APPLY: "new", AccessState.APPLYING: "new",
    AccessState.QUEUED_TO_DENY: "active", AccessState.DENYING: "active"}


def rule(req: falcon.Request, r: ShareAccessRule, *, with_share: bool = True) -> dict[str, Any]:
    state = r.state if at_least(req, "2.28") else _OLD_STATES.get(r.state, r.state)
    body: dict[str, Any] = {
        "id": r.id, "access_type": r.access_type, "access_to": r.access_to,
        "access_level": r.access_level, "state": state,
    }
    if with_share:
        body["share_id"] = r.share_id
    if at_least(req, "2.21"):
        body["access_key"] = r.access_key
    if at_least(req, "2.33"):
        body["created_at"] = isotime(r.created_at)
        body["updated_at"] = isotime(r.updated_at)
    if at_least(req, "2.45"):
        body["metadata"] = r.metadata_dict()
    return body
