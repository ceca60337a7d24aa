"""Apply a share instance's queued access rules with one driver call per batch.

Rules queued while a batch is on the backend are taken by the next turn of the loop,
so a burst of allow/deny requests costs as many driver calls as it needs, no more.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from abaca.common.context import RequestContext
from abaca.common.errors import NotFound
from abaca.common.messages import Action, Detail
from abaca.common.states import AccessRulesStatus, AccessState
from abaca.db.models import ShareAccessRule
from abaca.db.repositories import access as access_repo
from abaca.db.repositories import messages as messages_repo
from abaca.db.repositories import shares as shares_repo
from abaca.share.driver_api import AccessRule
from abaca.share.flows.common import share_request

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
A = AccessState


def payload(rule: ShareAccessRule) -> AccessRule:
    return AccessRule(id=rule.id, access_type=rule.access_type, access_to=rule.access_to,
                      access_level=rule.access_level)


def run(mgr: ShareManager, ctxt: RequestContext, instance_id: str) -> None:
    with mgr.instance_lock(instance_id):
        while _one_batch(mgr, ctxt, instance_id):
            pass


def resync(mgr: ShareManager, instance_id: str) -> None:
    """Make the backend serve exactly the active rules (after a restart)."""
    with mgr.instance_lock(instance_id):
        with mgr.db.write() as session:
            inst = shares_repo.get_instance(session, instance_id)
            rules = access_repo.rules_of(session, inst.share_id)
            for rule in rules:  # a batch interrupted by the restart goes again
                if rule.state == A.APPLYING:
                    access_repo.set_state(rule, A.QUEUED_TO_APPLY)
                elif rule.state == A.DENYING:
                    access_repo.set_state(rule, A.QUEUED_TO_DENY)
            active = [payload(r) for r in rules if r.state == A.ACTIVE]
            request = share_request(mgr.conf, inst)
        failed = mgr.driver.update_access(request, active, [], [])
        if failed:
            with mgr.db.write() as session:
                for rule in access_repo.rules_of(session, request.share_id):
                    if rule.id in failed and rule.state == A.ACTIVE:
                        access_repo.set_state(rule, A.ERROR)
    run(mgr, RequestContext.admin(), instance_id)


def _one_batch(mgr: ShareManager, ctxt: RequestContext, instance_id: str) -> bool:
    """Apply what is queued; False when nothing was."""
    with mgr.db.write() as session:
        try:
            inst = shares_repo.get_instance(session, instance_id)
        except NotFound:
            return False
        rules = access_repo.rules_of(session, inst.share_id)
        adding = [r for r in rules if r.state == A.QUEUED_TO_APPLY]
        removing = [r for r in rules if r.state == A.QUEUED_TO_DENY]
        if not adding and not removing:
            inst.access_rules_status = _status(rules)
            return False
        for rule in adding:
            access_repo.set_state(rule, A.APPLYING)
        for rule in removing:
            access_repo.set_state(rule, A.DENYING)
        wanted = [payload(r) for r in rules if r.state in (A.ACTIVE, A.APPLYING)]
        add, delete = [payload(r) for r in adding], [payload(r) for r in removing]
        request = share_request(mgr.conf, inst)
        project_id, share_id = inst.share.project_id, inst.share_id
    try:
        failed = mgr.driver.update_access(request, wanted, add, delete)
        detail = Detail.UNSUPPORTED_CLIENT_ACCESS
    except Exception:
        LOG.exception("share %s: updating access failed", share_id)
        failed = {r.id: "error" for r in add} | {r.id: "error" for r in delete}
        detail = Detail.DRIVER_FAILED_ACCESS
    with mgr.db.write() as session:
        for rule in access_repo.rules_of(session, share_id):
            if rule.state == A.APPLYING:
                access_repo.set_state(rule, A.ERROR if rule.id in failed else A.ACTIVE)
            elif rule.state == A.DENYING:
                if rule.id in failed:
                    access_repo.set_state(rule, A.ERROR)
                else:
                    access_repo.set_state(rule, A.DELETED)
                    access_repo.delete_rule(session, rule)
        if failed:
            messages_repo.create(session, project_id=project_id, resource_type="SHARE",
                                 resource_id=share_id, action=Action.UPDATE_ACCESS_RULES,
                                 detail=detail, request_id=ctxt.request_id)
        # In the same transaction as the rules, so no reader sees one without the other.
        shares_repo.get_instance(session, instance_id).access_rules_status = _status(
            [r for r in access_repo.rules_of(session, share_id) if r.deleted == ""])
    return True


def _status(rules: list[ShareAccessRule]) -> str:
    if any(r.state == A.ERROR for r in rules):
        return AccessRulesStatus.ERROR
    if any(r.state != A.ACTIVE for r in rules):
        return AccessRulesStatus.SYNCING
    return AccessRulesStatus.ACTIVE
