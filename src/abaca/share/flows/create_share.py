"""Create a share instance: try the scheduler's candidates in order until one works.

Candidates owned by this backend are tried here; the first one owned by another share
service gets the rest of the list. When none is left the share goes to ``error`` with
a user message. No database transaction is held while the driver works.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from abaca.common.context import RequestContext
from abaca.common.errors import Invalid, NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareStatus
from abaca.common.types import Candidate, RequestSpec
from abaca.db.models import utcnow
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.share.driver_api import SnapshotSupport
from abaca.share.flows import share_servers as server_flows
from abaca.share.flows.common import (
    fail_share,
    instance_in,
    save_exports,
    share_request,
    try_candidates,
)
from abaca.share.flows.snapshots import snapshot_request
from abaca.share.network.base import AddressPoolExhausted

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
CREATING = (ShareStatus.CREATING, ShareStatus.CREATING_FROM_SNAPSHOT)


def run(mgr: ShareManager, ctxt: RequestContext, spec: RequestSpec,
        candidates: list[dict[str, Any]]) -> None:
    def forward(service_host: str, rest: list[dict[str, Any]]) -> None:
        LOG.info("share %s: handing candidates to %s", spec.share_id, service_host)
        mgr.share_rpc.create_share_instance(ctxt, service_host, spec, rest)

    if try_candidates(mgr, candidates, forward, partial(_create_on, mgr, ctxt, spec)):
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


def _create_on(mgr: ShareManager, ctxt: RequestContext, spec: RequestSpec,
               cand: Candidate) -> bool:
    """Create the share on the pool ``cand``: False when the driver failed there (the
    next candidate is tried); True when it is made, gone meanwhile, or failed for good
    with a user message."""
    server_id = None
    if mgr.backend.config.driver_handles_share_servers:
        server_id = _share_server(mgr, ctxt, spec)
        if server_id is None:
            return True  # the share is in error, with a user message saying why
    with mgr.db.write() as session:
        inst = instance_in(session, spec.instance_id, *CREATING)
        if inst is None:
            return True
        inst.host = cand.host
        inst.share_server_id = server_id
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
        return False
    with mgr.db.write() as session:
        inst = shares_repo.get_instance(session, spec.instance_id)
        save_exports(session, inst, result)
        shares_repo.set_status(inst, ShareStatus.AVAILABLE)
        inst.launched_at = utcnow()
        inst.progress = "100%"
    LOG.info("share %s available on %s", spec.share_id, cand.host)
    return True


def _share_server(mgr: ShareManager, ctxt: RequestContext, spec: RequestSpec) -> str | None:
    """The id of the share server of the share's network on this backend (made if there is
    none); None when there is none to be had: the share is then in error."""
    with mgr.db.read() as session:
        inst = instance_in(session, spec.instance_id, *CREATING)
        if inst is None:
            return None
        network_id = inst.share.share_network_id
    detail = Detail.NO_SHARE_SERVER
    try:
        if not network_id:
            raise Invalid("A share on a backend with share servers needs a share network.")
        return server_flows.get_or_create(mgr, network_id, spec.instance_id).id
    except AddressPoolExhausted as exc:
        LOG.warning("share %s: %s", spec.share_id, exc.message)
        detail = Detail.NO_FREE_ADDRESS
    except Exception:
        LOG.exception("share %s: no share server on %s", spec.share_id, mgr.host)
    fail_share(mgr, ctxt, spec.instance_id, ShareStatus.ERROR, Action.CREATE, detail)
    return None
