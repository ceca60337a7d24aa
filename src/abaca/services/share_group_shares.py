"""What share requests need from share groups: where a new share of a group goes, and
whether a share of a group may be deleted (Manila's rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from abaca.common.context import RequestContext
from abaca.common.errors import Forbidden, Invalid, NotFound
from abaca.common.states import ShareGroupStatus
from abaca.db.models import Share
from abaca.db.repositories import share_groups as groups_repo
from abaca.scheduler import request
from abaca.services import validation


@dataclass(frozen=True)
class GroupPlacement:
    share_group_id: str
    availability_zone: str | None
    # scheduler hints that keep the share on its group's pool or backend
    hints: dict[str, str] = field(default_factory=dict)


def placement(session: Session, ctx: RequestContext, group_ref: Any, share_type_id: str,
              share_network_id: str | None) -> GroupPlacement:
    """Check a new share may join the group and say where it must go: the group's pool
    when the group snapshots per pool, otherwise any pool of the group's backend."""
    group_id = validation.uuid_like(group_ref, "share_group_id")
    try:
        group = groups_repo.get(session, group_id)
        if not (ctx.is_admin or group.project_id == ctx.project_id):
            raise NotFound(f"Share group {group_id} could not be found.")
    except NotFound as exc:
        raise Invalid(exc.message) from exc
    if group.status != ShareGroupStatus.AVAILABLE:
        raise Invalid(f"Share group status must be available, got {group.status}.")
    if share_type_id not in group.share_type_ids():
        raise Invalid(f"The specified share type ({share_type_id}) is not supported by the "
                      f"specified share group ({group_id}).")
    if (group.share_network_id or None) != (share_network_id or None):
        raise Invalid(f"The specified share network ({share_network_id}) does not match the "
                      f"share group's share network ({group.share_network_id}).")
    host = group.host or ""
    if group.consistent_snapshot_support != "pool":
        host = request.backend_of(host)
    return GroupPlacement(share_group_id=group.id, availability_zone=group.availability_zone,
                          hints={request.SHARE_GROUP_HOST: host} if host else {})


def check_delete(session: Session, share: Share, share_group_id: str | None) -> None:
    """A share of a group is deleted only when the request names its group, and only
    once no group snapshot holds it."""
    if not share.share_group_id:
        return
    if not share_group_id:
        raise Invalid("Must provide 'share_group_id' as a request parameter when deleting "
                      "a share in a share group.")
    if share_group_id != share.share_group_id:
        raise Invalid("The specified 'share_group_id' does not match the share group id of "
                      "the share.")
    members = groups_repo.member_count_of_share(session, share.id)
    if members:
        raise Forbidden(f"Share {share.id} still has {members} share group snapshot "
                        "members.")
