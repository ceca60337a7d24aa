"""Access rules of shares."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from abaca.common.errors import NotFound
from abaca.common.states import AccessState
from abaca.db.models import ShareAccessRule, ShareAccessRuleMetadata


def rules_of(session: Session, share_id: str) -> list[ShareAccessRule]:
    return list(session.scalars(select(ShareAccessRule).where(
        ShareAccessRule.share_id == share_id, ShareAccessRule.deleted == "")
        .order_by(ShareAccessRule.created_at, ShareAccessRule.id)))


def get_rule(session: Session, rule_id: str) -> ShareAccessRule:
    rule = session.scalar(select(ShareAccessRule).where(
        ShareAccessRule.id == rule_id, ShareAccessRule.deleted == ""))
    if rule is None:
        raise NotFound(f"Access rule {rule_id} could not be found.")
    return rule


def set_state(rule: ShareAccessRule, state: str) -> None:
    AccessState.check(rule.state, state)
    rule.state = state


def delete_rule(session: Session, rule: ShareAccessRule) -> None:
    for meta in session.scalars(select(ShareAccessRuleMetadata).where(
            ShareAccessRuleMetadata.access_id == rule.id,
            ShareAccessRuleMetadata.deleted == "")):
        meta.soft_delete()
    rule.soft_delete()


def set_metadata(session: Session, rule: ShareAccessRule, items: dict[str, str]) -> None:
    existing = {m.key: m for m in session.scalars(select(ShareAccessRuleMetadata).where(
        ShareAccessRuleMetadata.access_id == rule.id, ShareAccessRuleMetadata.deleted == ""))}
    for key, value in items.items():
        if key in existing:
            existing[key].value = value
        else:
            session.add(ShareAccessRuleMetadata(access_id=rule.id, key=key, value=value))
    session.flush()
    session.expire(rule, ["metadata_items"])


def delete_metadata(session: Session, rule: ShareAccessRule, key: str) -> None:
    row = session.scalar(select(ShareAccessRuleMetadata).where(
        ShareAccessRuleMetadata.access_id == rule.id, ShareAccessRuleMetadata.key == key,
        ShareAccessRuleMetadata.deleted == ""))
    if row is None:
        raise NotFound(f"Metadata item {key} was not found.")
    row.soft_delete()
