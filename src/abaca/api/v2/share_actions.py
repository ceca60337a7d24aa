"""POST /v2/shares/{id}/action: one key naming the action, its arguments as the value.

Before 2.7 the actions carried an ``os-`` prefix; each entry below names the version
range where it exists, so a version change is a row, not a branch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import falcon

from abaca import policy
from abaca.api.common import Deps, accepted, action_of, at_least, ctx, send, version
from abaca.api.microversion import v
from abaca.api.views import access as access_views
from abaca.common.errors import Invalid
from abaca.services import validation

Handler = Callable[[falcon.Request, falcon.Response, Deps, str, Any], None]


@dataclass(frozen=True)
class Action:
    name: str
    minimum: str
    maximum: str | None
    handler: Handler

    def names(self) -> list[tuple[str, str, str | None]]:
        """(name, min, max) for the os- spelling (< 2.7) and the plain one (>= 2.7)."""
        low, high = v(self.minimum), v(self.maximum) if self.maximum else None
        result: list[tuple[str, str, str | None]] = []
        if low < v("2.7"):
            legacy_max = "2.6" if high is None or high >= v("2.7") else self.maximum
            result.append((f"os-{self.name}", self.minimum, legacy_max))
        if high is None or high >= v("2.7"):
            result.append((self.name, max(self.minimum, "2.7", key=v), self.maximum))
        return result


def _args(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid("The action's arguments must be an object.")
    return value


def _extend(req: falcon.Request, resp: falcon.Response, deps: Deps, share_id: str,
            value: Any) -> None:
    args = _args(value)
    force = (validation.boolean(args.get("force", False), "force")
             if at_least(req, "2.64") else False)
    deps.actions.resize(ctx(req), share_id, args.get("new_size"), grow=True, force=force)
    accepted(resp)


def _shrink(req: falcon.Request, resp: falcon.Response, deps: Deps, share_id: str,
            value: Any) -> None:
    deps.actions.resize(ctx(req), share_id, _args(value).get("new_size"), grow=False)
    accepted(resp)


def _revert(req: falcon.Request, resp: falcon.Response, deps: Deps, share_id: str,
            value: Any) -> None:
    deps.actions.revert(ctx(req), share_id, _args(value).get("snapshot_id"))
    accepted(resp)


def _allow(req: falcon.Request, resp: falcon.Response, deps: Deps, share_id: str,
           value: Any) -> None:
    rule = deps.access.allow(ctx(req), share_id, _args(value),
                             allow_ipv6=at_least(req, "2.38"),
                             with_metadata=at_least(req, "2.45"))
    send(resp, {"access": access_views.rule(req, rule)})


def _deny(req: falcon.Request, resp: falcon.Response, deps: Deps, share_id: str,
          value: Any) -> None:
    deps.access.deny(ctx(req), share_id, _args(value).get("access_id"))
    accepted(resp)


def _access_list(req: falcon.Request, resp: falcon.Response, deps: Deps, share_id: str,
                 value: Any) -> None:
    rules = deps.access.list_for_share(ctx(req), share_id)
    send(resp, {"access_list": [access_views.rule(req, r, with_share=False) for r in rules]})


def _unmanage(req: falcon.Request, resp: falcon.Response, deps: Deps, share_id: str,
              value: Any) -> None:
    policy.authorize(ctx(req), "share:unmanage")
    deps.actions.unmanage(ctx(req), share_id)
    accepted(resp)


def _reset_status(req: falcon.Request, resp: falcon.Response, deps: Deps, share_id: str,
                  value: Any) -> None:
    policy.authorize(ctx(req), "share:reset_status")
    deps.actions.reset_status(ctx(req), share_id, _args(value).get("status"))
    accepted(resp)


def _force_delete(req: falcon.Request, resp: falcon.Response, deps: Deps, share_id: str,
                  value: Any) -> None:
    policy.authorize(ctx(req), "share:force_delete")
    deps.actions.force_delete(ctx(req), share_id)
    accepted(resp)


ACTIONS = [
    Action("extend", "2.0", None, _extend),
    Action("shrink", "2.0", None, _shrink),
    Action("allow_access", "2.0", None, _allow),
    Action("deny_access", "2.0", None, _deny),
    Action("access_list", "2.0", "2.44", _access_list),
    Action("reset_status", "2.0", None, _reset_status),
    Action("force_delete", "2.0", None, _force_delete),
    Action("revert", "2.27", None, _revert),
    Action("unmanage", "2.7", None, _unmanage),
]
_TABLE = [(name, v(low), v(high) if high else None, a.handler)
          for a in ACTIONS for name, low, high in a.names()]


class ShareAction:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        name, value = action_of(req, self.deps)
        for known, low, high, handler in _TABLE:
            if known == name and low <= version(req) and (high is None or version(req) <= high):
                handler(req, resp, self.deps, share_id, value)
                return
        raise Invalid(f"There is no such action: {name}")
