"""Create a share instance: try the scheduler's candidates in order until one works.

Candidates owned by this backend are tried here; the first one owned by another share
service gets the rest of the list. When none is left the share goes to ``error`` with
a user message. No database transaction is held while the driver works.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from abaca.common.context import RequestContext
from abaca.common.errors import NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareStatus
from abaca.common.types import Candidate, RequestSpec
from abaca.db.models import utcnow
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.share.driver_api import SnapshotSupport
from abaca.share.flows.common import instance_in, save_exports, share_request
from abaca.share.flows.snapshots import snapshot_request

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
CREATING = (ShareStatus.CREATING, ShareStatus.CREATING_FROM_SNAPSHOT)


def run(mgr: ShareManager, ctxt: RequestContext, spec: RequestSpec,
        candidates: list[dict[str, Any]]) -> None:
    remaining = [Candidate(host=c["host"], weight=float(c.get("weight", 0)))
                 for c in candidates]
    while remaining:
        cand = remaining[0]
        if cand.service_host != mgr.host:
            LOG.info("share %s: handing candidates to %s", spec.share_id, cand.service_host)
            mgr.share_rpc.create_share_instance(
                ctxt, cand.service_host, spec,
                [{"host": c.host, "weight": c.weight} for c in remaining])
            return
        remaining.pop(0)
        with mgr.db.write() as session:
            inst = instance_in(session, spec.instance_id, *CREATING)
            if inst is None:
                return
            inst.host = cand.host
            inst.availability_zone = mgr.backend.config.availability_zone
            request = share_request(mgr.conf, inst)
            snap_request = (snapshot_request(mgr, session, snapshots_repo.get(
                session, spec.snapshot_id)) if spec.snapshot_id else None)
        try:
            if snap_request is None:
                result = mgr.driver.create_share(request)
            elif isinstance(mgr.driver, SnapshotSupport):
                result = mgr.driver.create_share_from_snapshot(request, snap_request)
            else:
                raise NotFound("This backend cannot create shares from snapshots.")
        except Exception:
            LOG.exception("share %s: creating on %s failed", spec.share_id, cand.host)
            continue
        with mgr.db.write() as session:
            inst = shares_repo.get_instance(session, spec.instance_id)
            save_exports(session, inst, result)
            shares_repo.set_status(inst, ShareStatus.AVAILABLE)
            inst.launched_at = utcnow()
        LOG.info("share %s available on %s", spec.share_id, cand.host)
        return
    with mgr.db.write() as session:
        inst = instance_in(session, spec.instance_id, *CREATING)
        if inst is None:
            return
        shares_repo.set_status(inst, ShareStatus.ERROR)
        messages_repo.create(session, project_id=spec.project_id, resource_type="SHARE",
                             resource_id=spec.share_id, action=Action.CREATE,
                             detail=(Detail.DRIVER_FAILED_CREATING_FROM_SNAP if spec.snapshot_id
                                     else Detail.DRIVER_FAILED_CREATING),
                             request_id=ctxt.request_id)
