"""Adopt existing storage as a share (manage) and let a share go (unmanage)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from abaca.common.context import RequestContext
from abaca.common.errors import Invalid, NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareStatus
from abaca.db.models import ShareType, utcnow
from abaca.db.repositories import shares as shares_repo
from abaca.services import quotas, share_types
from abaca.share.driver_api import ManageSupport, ShareRequest
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
        share_type = inst.share.share_type
    try:
        if not isinstance(mgr.driver, ManageSupport):
            raise NotFound("This backend cannot manage shares.")
        managed = mgr.driver.manage_existing(request, export_path, driver_options)
    except Exception:
        LOG.exception("managing %s as share %s failed", export_path, request.share_id)
        fail_share(mgr, ctxt, instance_id, S.MANAGE_ERROR, Action.MANAGE,
                   Detail.DRIVER_FAILED_MANAGE)
        return
    if not _size_fits(mgr, share_type, managed.size, request):
        fail_share(mgr, ctxt, instance_id, S.MANAGE_ERROR, Action.MANAGE,
                   Detail.MANAGED_SIZE_OUT_OF_TYPE_LIMITS)
        return
    with mgr.db.write() as session:
        inst = shares_repo.get_instance(session, instance_id)
        # Counted from now on, even over quota (the storage exists already); before the
        # status changes, so that a first count of the live rows does not include it.
        quotas.add_usage(session, mgr.conf, quotas.share_scope(inst.share),
                         {"shares": 1, "gigabytes": managed.size})
        inst.share.size = managed.size
        save_exports(session, inst, managed.result)
        inst.launched_at = utcnow()
        shares_repo.set_status(inst, S.AVAILABLE)
        inst.progress = "100%"


def _size_fits(mgr: ShareManager, share_type: ShareType | None, size: int,
               request: ShareRequest) -> bool:
    """The type's provisioning:min/max_share_size (2.61) bind managed shares too; one
    outside them is let go again (the data stays where it is)."""
    if share_type is None:
        return True
    try:
        share_types.check_size(share_type, size, operation="manage")
    except Invalid as exc:
        LOG.warning("share %s: not adopting %s GiB: %s", request.share_id, size, exc)
        try:
            assert isinstance(mgr.driver, ManageSupport)
            mgr.driver.unmanage(request)
        except Exception:
            LOG.exception("share %s: could not release the storage again", request.share_id)
        return False
    return True


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
        with mgr.db.write() as session:
            quotas.rollback_origin(session, quotas.origin("share", request.share_id,
                                                          "unmanage"))
        fail_share(mgr, ctxt, instance_id, S.UNMANAGE_ERROR, Action.UNMANAGE,
                   Detail.DRIVER_FAILED_UNMANAGE)
        return
    with mgr.db.write() as session:
        quotas.commit_origin(session, quotas.origin("share", request.share_id, "unmanage"))
        shares_repo.forget_share_rows(session, shares_repo.get_instance(session, instance_id),
                                      S.UNMANAGED)
