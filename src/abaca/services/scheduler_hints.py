"""Scheduler hints on share create (2.65): ``same_host`` / ``different_host``.

Each names shares (comma-separated ids) the new share must be placed with, or away
from. The API checks that every named share exists and is visible to the caller, then
resolves them to the pools their instances are on, which is what the scheduler's
AffinityFilter and AntiAffinityFilter read (``abaca.scheduler.request``); the filters
never touch the database. The hints are kept as the share's metadata
``__affinity_same_host`` / ``__affinity_different_host``, as Manila keeps them.

2.67 adds ``only_host`` (share and replica create): the exact pool
``host@backend#pool`` an administrator wants. Its format is checked here (400); whether
the caller may use it is the API's policy check (``context_is_host_admin``); whether
the pool exists and fits is the scheduler's OnlyHostFilter (no pool: "no valid host").
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from abaca.common.context import RequestContext
from abaca.common.errors import Invalid
from abaca.db.repositories import shares as shares_repo
from abaca.scheduler import request
from abaca.services import validation

ONLY_HOST = request.ONLY_HOST
USER_HINTS = (request.SAME_HOST, request.DIFFERENT_HOST)
# host@backend#pool, each part a plain name (as service hosts and pool names are).
_NAME = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,254}"
_POOL = re.compile(rf"{_NAME}@{_NAME}#{_NAME}")
METADATA_KEYS = {request.SAME_HOST: "__affinity_same_host",
                 request.DIFFERENT_HOST: "__affinity_different_host"}


def parse(value: Any, *, with_only_host: bool = False) -> dict[str, list[str]]:
    """The hints a client sent, as {hint: [share ids]}; 400 for anything malformed.

    ``only_host`` (2.67, ``with_only_host``) is accepted but not part of the result:
    ``only_host`` gives it."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid("scheduler_hints must be an object.")
    known = (*USER_HINTS, request.ONLY_HOST) if with_only_host else USER_HINTS
    unknown = set(value) - set(known)
    if unknown:
        raise Invalid(f"Unknown scheduler hints: {', '.join(sorted(map(str, unknown)))}; "
                      f"expected {', '.join(known)}.")
    result: dict[str, list[str]] = {}
    for key, raw in value.items():
        if key == request.ONLY_HOST:
            continue
        if not isinstance(raw, str):
            raise Invalid(f"Scheduler hint {key} must be a string of comma-separated share "
                          "ids.")
        ids = [item.strip() for item in raw.split(",")]
        if not ids or any(not item for item in ids):
            raise Invalid(f"Scheduler hint {key} must be a comma-separated list of share "
                          f"ids, not {raw!r}.")
        result[key] = [validation.uuid_like(item, f"scheduler hint {key}")
                       for item in dict.fromkeys(ids)]
    return result


def only_host(value: Any) -> str | None:
    """The pool an ``only_host`` hint names (2.67), format-checked; None without one."""
    if not isinstance(value, dict) or value.get(request.ONLY_HOST) is None:
        return None
    raw = value[request.ONLY_HOST]
    if not isinstance(raw, str) or not _POOL.fullmatch(raw.strip()):
        raise Invalid(f"Scheduler hint {request.ONLY_HOST} must name a pool as "
                      f"host@backend#pool, not {raw!r}.")
    return raw.strip()


def only_host_hints(value: Any) -> dict[str, str]:
    """Replica create's hints (2.67): ``only_host`` and nothing else."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid("scheduler_hints must be an object.")
    if set(value) - {request.ONLY_HOST}:
        raise Invalid("Arg scheduler_hints supports only only_host key.")
    pool = only_host(value)
    return {request.ONLY_HOST: pool} if pool else {}


def resolve(session: Session, ctx: RequestContext,
            hints: dict[str, list[str]]) -> dict[str, str]:
    """The request spec's hints: the user's plus the pools of the shares they name.

    A share that does not exist or that the caller cannot see is 404; one that is on
    no pool yet (still being scheduled, or failed there) cannot anchor a placement: 400.
    """
    from abaca.services.shares import visible

    resolved: dict[str, str] = {}
    for key, ids in hints.items():
        groups: list[str] = []
        for share_id in ids:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            hosts = sorted({i.host for i in share.instances if i.host})
            if not hosts:
                raise Invalid(f"Share {share_id} named in scheduler hint {key} is not on "
                              "a back end yet.")
            groups.append(",".join(hosts))
        resolved[key] = ",".join(ids)
        target = request.SAME_HOST_HOSTS if key == request.SAME_HOST \
            else request.DIFFERENT_HOST_HOSTS
        resolved[target] = ";".join(groups)
    return resolved


def as_metadata(hints: dict[str, list[str]]) -> dict[str, str]:
    return {METADATA_KEYS[key]: ",".join(ids) for key, ids in hints.items()}
