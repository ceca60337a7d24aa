"""Delete a share instance from its backend, then its rows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from abaca.common.context import RequestContext
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareStatus
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.repositories import snapshots as snapshots_repo
from abaca.services import quotas
from abaca.share.driver_api import SnapshotSupport
from abaca.share.flows import share_servers, snapshot_access
from abaca.share.flows.common import instance_in, share_request
from abaca.share.flows.snapshots import snapshot_request

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)


def run(mgr: ShareManager, ctxt: RequestContext, instance_id: str) -> None:
    with mgr.db.read() as session:
        inst = instance_in(session, instance_id, ShareStatus.DELETING)
        if inst is None:
            return
        request = share_request(mgr.conf, inst)
        project_id, share_id = inst.share.project_id, inst.share_id
        server_id = inst.share_server_id
        # Only an admin's force_delete reaches here with snapshots: they go first.
        snapshots = [snapshot_request(mgr, session, s)
                     for s in snapshots_repo.of_share(session, share_id)]
    try:
        for snap in snapshots:
            if isinstance(mgr.driver, SnapshotSupport):
                snapshot_access.unexport(mgr, snap)  # a mountable snapshot's export
                mgr.driver.delete_snapshot(snap)
        mgr.driver.delete_share(request)
    except Exception:
        LOG.exception("deleting share instance %s failed", instance_id)
        with mgr.db.write() as session:
            quotas.rollback_origin(session, quotas.origin("share", share_id, "delete"))
            inst = shares_repo.get_instance(session, instance_id)
            shares_repo.set_status(inst, ShareStatus.ERROR_DELETING)
            messages_repo.create(session, project_id=project_id, resource_type="SHARE",
                                 resource_id=share_id, action=Action.DELETE,
                                 detail=Detail.DRIVER_FAILED_DELETING,
                                 request_id=ctxt.request_id)
        return
    with mgr.db.write() as session:  # the usage is given back with the rows
        quotas.commit_origin(session, quotas.origin("share", share_id, "delete"))
        shares_repo.delete_share_rows(session, shares_repo.get_instance(session, instance_id))
    share_servers.unused_since_now(mgr, server_id)  # the cleanup interval starts now
