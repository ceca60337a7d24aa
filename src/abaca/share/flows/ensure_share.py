"""Serve an existing share again after the share service restarted."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from abaca.common.errors import NotFound
from abaca.db.repositories import shares as shares_repo
from abaca.share.flows import access
from abaca.share.flows.common import save_exports, share_request

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)


def run(mgr: ShareManager, instance_id: str) -> None:
    with mgr.db.read() as session:
        try:
            request = share_request(mgr.conf, shares_repo.get_instance(session, instance_id))
        except NotFound:
            return
    try:
        result = mgr.driver.ensure_share(request)
    except Exception:
        LOG.exception("share instance %s could not be served again", instance_id)
        return
    with mgr.db.write() as session:
        save_exports(session, shares_repo.get_instance(session, instance_id), result)
    try:
        access.resync(mgr, instance_id)
    except Exception:
        LOG.exception("share instance %s: its access rules could not be applied again",
                      instance_id)
