"""Access rules: allow, deny, list. Rules are written queued_*, then the owning share
service applies the whole batch with one driver call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Invalid, NotFound
from abaca.common.states import AccessRulesStatus, AccessState, ShareStatus
from abaca.db.models import Share, ShareAccessRule
from abaca.db.repositories import access as access_repo
from abaca.db.repositories import shares as shares_repo
from abaca.db.session import Database
from abaca.services import access_grammar, validation
from abaca.services.shares import visible
from abaca.share.rpcapi import ShareAPI


@dataclass
class AccessServices:
    db: Database
    share_rpc: ShareAPI

    def allow(self, ctx: RequestContext, share_id: str, body: dict[str, Any], *,
              allow_ipv6: bool, with_metadata: bool) -> ShareAccessRule:
        access_type, access_to = access_grammar.check_rule(
            body.get("access_type"), body.get("access_to"), allow_ipv6=allow_ipv6)
        level = access_grammar.check_level(body.get("access_level", "rw"))
        metadata = validation.metadata(body.get("metadata")) if with_metadata else {}
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            policy.authorize_on(ctx, "share:allow_access", share)
            host = _ready_host(share)
            for rule in access_repo.rules_of(session, share.id):
                if (rule.access_type, rule.access_to) == (access_type, access_to) and \
                        rule.state not in (AccessState.QUEUED_TO_DENY, AccessState.DENYING):
                    raise Invalid(f"Share access {access_type}:{access_to} exists.")
            rule = ShareAccessRule(share_id=share.id, access_type=access_type,
                                   access_to=access_to, access_level=level,
                                   state=AccessState.QUEUED_TO_APPLY)
            session.add(rule)
            session.flush()
            if metadata:
                access_repo.set_metadata(session, rule, metadata)
            share.instance.access_rules_status = AccessRulesStatus.SYNCING
            instance_id, rule_id = share.instance.id, rule.id
        # the answer shows the rule as recorded, whatever the share service does next
        created = self.get(ctx, rule_id, "share:allow_access")
        self.share_rpc.update_access(ctx, host, instance_id)
        return created

    def deny(self, ctx: RequestContext, share_id: str, access_id: Any) -> None:
        if not isinstance(access_id, str) or not access_id:
            raise Invalid("deny_access needs the access_id of the rule to remove.")
        with self.db.write() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            policy.authorize_on(ctx, "share:deny_access", share)
            host = _ready_host(share)
            rule = access_repo.get_rule(session, access_id)
            if rule.share_id != share.id:
                raise Invalid(f"Access rule {access_id} is not a rule of share {share_id}.")
            if rule.state in (AccessState.QUEUED_TO_DENY, AccessState.DENYING):
                return
            access_repo.set_state(rule, AccessState.QUEUED_TO_DENY)
            share.instance.access_rules_status = AccessRulesStatus.SYNCING
            instance_id = share.instance.id
        self.share_rpc.update_access(ctx, host, instance_id)

    def list_for_share(self, ctx: RequestContext, share_id: str,
                       metadata: dict[str, str] | None = None, *,
                       rule: str = "share:access_get_all") -> list[ShareAccessRule]:
        with self.db.read() as session:
            share = visible(ctx, shares_repo.get_share(session, share_id))
            policy.authorize_on(ctx, rule, share)
            rules = access_repo.rules_of(session, share.id)
        if metadata:
            rules = [r for r in rules
                     if all(r.metadata_dict().get(k) == v for k, v in metadata.items())]
        return rules

    def get(self, ctx: RequestContext, rule_id: str,
            action: str = "share_access_rule:get") -> ShareAccessRule:
        with self.db.read() as session:
            rule = access_repo.get_rule(session, rule_id)
            policy.authorize_on(ctx, action, _visible_share(ctx, session, rule))
            return rule

    def set_metadata(self, ctx: RequestContext, rule_id: str, items: Any) -> dict[str, str]:
        checked = validation.metadata(items)
        with self.db.write() as session:
            rule = access_repo.get_rule(session, rule_id)
            policy.authorize_on(ctx, "share_access_metadata:update",
                                _visible_share(ctx, session, rule))
            access_repo.set_metadata(session, rule, checked)
        return self.get(ctx, rule_id, "share_access_metadata:update").metadata_dict()

    def delete_metadata(self, ctx: RequestContext, rule_id: str, key: str) -> None:
        with self.db.write() as session:
            rule = access_repo.get_rule(session, rule_id)
            policy.authorize_on(ctx, "share_access_metadata:delete",
                                _visible_share(ctx, session, rule))
            access_repo.delete_metadata(session, rule, key)


def _visible_share(ctx: RequestContext, session: Session, rule: ShareAccessRule) -> Share:
    """The rule's share; a rule of a share the caller cannot see does not exist."""
    try:
        return visible(ctx, shares_repo.get_share(session, rule.share_id))
    except NotFound as exc:
        raise NotFound(f"Access rule {rule.id} could not be found.") from exc


def _ready_host(share: Share) -> str:
    inst = share.instance
    if inst.status != ShareStatus.AVAILABLE or not inst.host:
        raise Invalid(f"Share {share.id} is {inst.status}; access rules can change only "
                      "while it is available.")
    return inst.host.partition("#")[0]
