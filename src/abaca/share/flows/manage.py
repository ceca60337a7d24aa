"""Adopt existing storage as a share (manage) and let a share go (unmanage)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from abaca.common.context import RequestContext
from abaca.common.errors import NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareStatus
from abaca.db.models import utcnow
from abaca.db.repositories import shares as shares_repo
from abaca.share.driver_api import ManageSupport
from abaca.share.flows.common import fail_share, instance_in, save_exports, share_request

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
S = ShareStatus


def manage(mgr: ShareManager, ctxt: RequestContext, instance_id: str, export_path: str,
           driver_options: dict[str, Any]) -> None:
    with mgr.db.read() as session:
        inst = instance_in(session, instance_id, S.MANAGE_STARTING)
        if inst is None:
            return
        request = share_request(mgr.conf, inst)
    try:
        if not isinstance(mgr.driver, ManageSupport):
            raise NotFound("This backend cannot manage shares.")
        managed = mgr.driver.manage_existing(request, export_path, driver_options)
    except Exception:
        LOG.exception("managing %s as share %s failed", export_path, request.share_id)
        fail_share(mgr, ctxt, instance_id, S.MANAGE_ERROR, Action.MANAGE,
                   Detail.DRIVER_FAILED_MANAGE)
        return
    with mgr.db.write() as session:
        inst = shares_repo.get_instance(session, instance_id)
        inst.share.size = managed.size
        save_exports(session, inst, managed.result)
        inst.launched_at = utcnow()
        shares_repo.set_status(inst, S.AVAILABLE)


def unmanage(mgr: ShareManager, ctxt: RequestContext, instance_id: str) -> None:
    with mgr.db.read() as session:
        inst = instance_in(session, instance_id, S.UNMANAGE_STARTING)
        if inst is None:
            return
        request = share_request(mgr.conf, inst)
    try:
        if not isinstance(mgr.driver, ManageSupport):
            raise NotFound("This backend cannot unmanage shares.")
        mgr.driver.unmanage(request)
    except Exception:
        LOG.exception("unmanaging share %s failed", request.share_id)
        fail_share(mgr, ctxt, instance_id, S.UNMANAGE_ERROR, Action.UNMANAGE,
                   Detail.DRIVER_FAILED_UNMANAGE)
        return
    with mgr.db.write() as session:
        shares_repo.forget_share_rows(session, shares_repo.get_instance(session, instance_id),
                                      S.UNMANAGED)
