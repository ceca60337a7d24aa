"""Revert a share to its latest snapshot."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from abaca.common.context import RequestContext
from abaca.common.errors import NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import AccessState, ShareStatus, SnapshotStatus
from abaca.db.repositories import access as access_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.share.driver_api import SnapshotSupport
from abaca.share.flows.access import payload
from abaca.share.flows.common import fail_share, instance_in, share_request
from abaca.share.flows.snapshots import snapshot_request

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)


def run(mgr: ShareManager, ctxt: RequestContext, instance_id: str, snapshot_id: str) -> None:
    with mgr.db.read() as session:
        inst = instance_in(session, instance_id, ShareStatus.REVERTING)
        try:
            snap = snapshots_repo.get(session, snapshot_id)
        except NotFound:
            return
        if inst is None:
            return
        request = share_request(mgr.conf, inst)
        snap_request = snapshot_request(mgr, session, snap)
        rules = [payload(r) for r in access_repo.rules_of(session, inst.share_id)
                 if r.state == AccessState.ACTIVE]
    try:
        if not isinstance(mgr.driver, SnapshotSupport):
            raise NotFound("This backend cannot revert shares.")
        mgr.driver.revert_to_snapshot(request, snap_request, rules)
    except Exception:
        LOG.exception("share %s: revert to %s failed", request.share_id, snapshot_id)
        fail_share(mgr, ctxt, instance_id, ShareStatus.REVERTING_ERROR,
                   Action.REVERT_TO_SNAPSHOT, Detail.DRIVER_FAILED_REVERT)
        with mgr.db.write() as session:
            snapshots_repo.set_status(snapshots_repo.get(session, snapshot_id),
                                      SnapshotStatus.AVAILABLE)
        return
    with mgr.db.write() as session:
        inst = shares_repo.get_instance(session, instance_id)
        snap = snapshots_repo.get(session, snapshot_id)
        # The share keeps its size (and its limit on the backend): the API allows a
        # revert only when the snapshot's content fits.
        shares_repo.set_status(inst, ShareStatus.AVAILABLE)
        snapshots_repo.set_status(snap, SnapshotStatus.AVAILABLE)
