"""Pieces the share flows share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import object_session

from abaca.common.types import Candidate
from abaca.db.models import ShareInstance
from abaca.share.driver_api import ShareRequest, ShareResult
from abaca.share.flows import share_servers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)


def share_request(conf: Any, inst: ShareInstance) -> ShareRequest:
    """The driver's view of an instance (its row and its share must be loaded)."""
    share = inst.share
    server = None
    if inst.share_server_id:  # DHSS=True: where the share is served
        session = object_session(inst)
        server = share_servers.of_instance(session, inst) if session is not None else None
    return ShareRequest(
        instance_id=inst.id, share_id=share.id,
        name=conf.share_name_template % inst.id, size=share.size,
        share_proto=share.share_proto, pool=(inst.host or "").partition("#")[2],
        project_id=share.project_id, metadata=share.metadata_dict(), share_server=server,
        host=inst.host or "")


def save_exports(session: Session, inst: ShareInstance, result: ShareResult) -> None:
    from abaca.db.repositories import shares as shares_repo

    shares_repo.replace_export_locations(
        session, inst, [(e.path, e.is_admin_only, e.preferred) for e in result.export_locations])


def fail_share(mgr: Any, ctxt: Any, instance_id: str, status: str, action: Any,
               detail: Any) -> None:
    """Put the instance in ``status`` and tell its owner why, in one transaction."""
    from abaca.db.repositories import messages as messages_repo
    from abaca.db.repositories import shares as shares_repo

    with mgr.db.write() as session:
        inst = shares_repo.get_instance(session, instance_id)
        shares_repo.set_status(inst, status)
        messages_repo.create(session, project_id=inst.share.project_id, resource_type="SHARE",
                             resource_id=inst.share_id, action=action, detail=detail,
                             request_id=ctxt.request_id)


def instance_in(session: Session, instance_id: str, *statuses: str) -> ShareInstance | None:
    """The instance if it still exists and is in one of ``statuses``; otherwise None (a
    message arrived late, or twice): the flow then has nothing to do."""
    from abaca.common.errors import NotFound
    from abaca.db.repositories import shares as shares_repo

    try:
        inst = shares_repo.get_instance(session, instance_id)
    except NotFound:
        return None
    if inst.status not in statuses:
        LOG.warning("instance %s is %s, not %s: nothing to do", instance_id, inst.status,
                    " or ".join(statuses))
        return None
    return inst


def try_candidates(mgr: ShareManager, candidates: list[dict[str, Any]],
                   forward: Callable[[str, list[dict[str, Any]]], None],
                   attempt: Callable[[Candidate], bool]) -> bool:
    """Walk the scheduler's candidate pools, best first: ``attempt`` each of this share
    service (True: done, or nothing left to do; False: it failed, try the next); the
    first one of another share service is handed, with those after it, to ``forward``
    (``host@backend``, the candidates as dicts). False when every candidate failed."""
    remaining = [Candidate(host=c["host"], weight=float(c.get("weight", 0)))
                 for c in candidates]
    while remaining:
        cand = remaining[0]
        if cand.service_host != mgr.host:
            forward(cand.service_host, [{"host": c.host, "weight": c.weight}
                                        for c in remaining])
            return True
        remaining.pop(0)
        if attempt(cand):
            return True
    return False
