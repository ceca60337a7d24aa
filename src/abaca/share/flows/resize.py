"""Extend or shrink a share (the instance's status says which)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from abaca.common.context import RequestContext
from abaca.common.errors import NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import ShareStatus
from abaca.db.repositories import shares as shares_repo
from abaca.services import quotas
from abaca.share.driver_api import ResizeSupport, ShrinkWouldLoseData
from abaca.share.flows.common import fail_share, instance_in, share_request

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
S = ShareStatus


def run(mgr: ShareManager, ctxt: RequestContext, instance_id: str, new_size: int) -> None:
    with mgr.db.read() as session:
        inst = instance_in(session, instance_id, S.EXTENDING, S.SHRINKING)
        if inst is None:
            return
        growing = inst.status == S.EXTENDING
        request = share_request(mgr.conf, inst)
    reservations = quotas.origin("share", request.share_id, "resize")
    driver = mgr.driver
    try:
        if not isinstance(driver, ResizeSupport):
            raise NotFound("This backend cannot resize shares.")
        if growing:
            driver.extend_share(request, new_size)
        else:
            driver.shrink_share(request, new_size)
    except ShrinkWouldLoseData:
        _rollback(mgr, reservations)
        LOG.info("share %s: shrink to %d GiB refused, data kept", request.share_id, new_size)
        fail_share(mgr, ctxt, instance_id, S.SHRINKING_POSSIBLE_DATA_LOSS_ERROR, Action.SHRINK,
                   Detail.DRIVER_REFUSED_SHRINK)
        return
    except Exception:
        LOG.exception("share %s: resize to %d GiB failed", request.share_id, new_size)
        _rollback(mgr, reservations)
        if growing:
            fail_share(mgr, ctxt, instance_id, S.EXTENDING_ERROR, Action.EXTEND,
                       Detail.DRIVER_FAILED_EXTEND)
        else:
            fail_share(mgr, ctxt, instance_id, S.SHRINKING_ERROR, Action.SHRINK,
                       Detail.DRIVER_FAILED_SHRINK)
        return
    with mgr.db.write() as session:
        inst = shares_repo.get_instance(session, instance_id)
        if not quotas.commit_origin(session, reservations):
            # The reservation expired meanwhile: count the change all the same (before
            # the size changes, so that a first count of the live rows sees the old).
            quotas.add_usage(session, mgr.conf, quotas.share_scope(inst.share),
                             {"gigabytes": new_size - inst.share.size})
        inst.share.size = new_size
        shares_repo.set_status(inst, S.AVAILABLE)


def _rollback(mgr: ShareManager, reservations: str) -> None:
    with mgr.db.write() as session:
        quotas.rollback_origin(session, reservations)
