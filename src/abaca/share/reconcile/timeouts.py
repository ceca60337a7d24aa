"""Creates whose message was lost: the scheduler's periodic check.

A share stays ``creating`` with no pool (``host`` unset) while its request travels from
the API through the scheduler to a share service; if a message is lost on the way (the
bus went down, a process was killed after taking it) nothing else would move it. After
``[reconciler] request_timeout`` such a share goes to ``error`` with a user message. So
does one whose pool's share service has been down that long: no reconciler is there to
finish it. A share whose share service is up is that service's reconciler's business.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from abaca.common.recovery import SHARE_TIMEOUT
from abaca.db.models import ShareInstance, utcnow
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import services as services_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.session import Database
from abaca.share.reconcile.records import record

LOG = logging.getLogger(__name__)
SHARE_BINARY = "abaca-share"


def fail_lost_creates(db: Database, conf: Any, host: str) -> int:
    """Put the creates older than request_timeout that no live share service holds in
    error; how many."""
    cutoff = utcnow() - timedelta(seconds=conf.reconciler.request_timeout)
    with db.read() as session:
        up = {s.host for s in services_repo.list_services(session, SHARE_BINARY)
              if services_repo.is_up(s, conf.service_down_time)}
        rows = list(session.execute(select(
            ShareInstance.id, ShareInstance.host, ShareInstance.updated_at,
            ShareInstance.created_at).where(
            ShareInstance.deleted == "", ShareInstance.status.in_(list(SHARE_TIMEOUT)))))
    failed = 0
    for inst_id, inst_host, updated, created in rows:
        if (updated or created) > cutoff:
            continue
        if inst_host and inst_host.partition("#")[0] in up:
            continue
        with db.write() as session:
            inst = session.scalar(select(ShareInstance).where(
                ShareInstance.id == inst_id).with_for_update(of=ShareInstance))
            if (inst is None or inst.deleted or inst.status not in SHARE_TIMEOUT
                    or inst.host != inst_host):
                continue  # taken up meanwhile
            plan = SHARE_TIMEOUT[inst.status]
            record(session, host=host, resource_type="share", resource_id=inst.share_id,
                   from_status=inst.status, to_status=plan.failed, action="timeout",
                   detail=plan.detail.text)
            shares_repo.set_status(inst, plan.failed)
            messages_repo.create(session, project_id=inst.share.project_id,
                                 resource_type="SHARE", resource_id=inst.share_id,
                                 action=plan.action, detail=plan.detail)
        LOG.warning("share %s: no share service took up its create in %ss: error",
                    inst_id, conf.reconciler.request_timeout)
        failed += 1
    return failed
