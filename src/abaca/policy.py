"""Authorisation with oslo.policy: ``authorize(ctx, "share:get", target)``.

The enforcer is built once per process from Abaca's defaults (``abaca.policies``) and
the operator's ``policy.yaml`` ([oslo_policy] policy_file), which it re-reads when the
file changes. A rule that fails raises ``Forbidden`` (403), as Manila does; hiding
other projects' resources (404) is the job of the project-scoped queries.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from typing import Any

from oslo_config import cfg
from oslo_policy import policy

from abaca.common.context import RequestContext
from abaca.common.errors import Forbidden
from abaca.policies import list_rules

_lock = threading.Lock()
_current: dict[str, policy.Enforcer] = {}


def init(conf: cfg.ConfigOpts) -> policy.Enforcer:
    """Build (or rebuild, for a new ``conf``) the process's enforcer."""
    with _lock:
        enforcer = policy.Enforcer(conf, use_conf=True)
        enforcer.register_defaults(list_rules())
        _current["enforcer"] = enforcer
        return enforcer


# Options of the oslo.policy tools themselves, which Abaca's config parser must not see.
_TOOL_OPTIONS = ("--namespace", "--output-file", "--format")


def _config_args(argv: list[str]) -> list[str]:
    args: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _TOOL_OPTIONS:
            skip = True
        elif not arg.startswith(tuple(f"{o}=" for o in _TOOL_OPTIONS)):
            args.append(arg)
    return args


def get_enforcer() -> policy.Enforcer:
    """The enforcer the oslo.policy command-line tools load (entry point
    ``oslo.policy.enforcer``), from the config files on their command line
    (``oslopolicy-policy-generator --namespace abaca --config-file abaca.conf``)."""
    from abaca import conf as confmod

    conf = confmod.new_conf()
    conf(_config_args(sys.argv[1:]), project="abaca")
    return init(conf)


def enforcer() -> policy.Enforcer:
    current = _current.get("enforcer")
    return current if current is not None else init(cfg.CONF)


def credentials(ctx: RequestContext) -> dict[str, Any]:
    return {"user_id": ctx.user_id, "project_id": ctx.project_id,
            "roles": list(ctx.roles), "is_admin": ctx.is_admin}


def authorize(ctx: RequestContext, action: str,
              target: Mapping[str, Any] | None = None, *, do_raise: bool = True) -> bool:
    """Whether ``ctx`` may perform ``action`` on ``target`` (a dict with at least
    ``project_id``; the caller's own project and user when None)."""
    if target is None:
        target = {"project_id": ctx.project_id, "user_id": ctx.user_id}
    try:
        allowed = bool(enforcer().authorize(action, dict(target), credentials(ctx)))
    except policy.PolicyNotRegistered as exc:
        raise RuntimeError(f"policy rule {action!r} is not registered") from exc
    if not allowed and do_raise:
        raise Forbidden(f"Policy doesn't allow {action} to be performed.")
    return allowed


def is_admin(roles: list[str] | tuple[str, ...], project_id: str | None,
             user_id: str | None) -> bool:
    """Whether a caller with these roles passes ``context_is_admin``."""
    creds = {"roles": list(roles), "project_id": project_id, "user_id": user_id}
    return bool(enforcer().enforce("context_is_admin", {}, creds))


def target(resource: Any) -> dict[str, Any]:
    """The policy target of a row that has a project (and maybe a user)."""
    return {"project_id": resource.project_id, "user_id": getattr(resource, "user_id", None)}


def authorize_on(ctx: RequestContext, action: str, resource: Any) -> None:
    """``authorize`` with ``resource``'s project and user as the target (403 if denied)."""
    authorize(ctx, action, target(resource))
