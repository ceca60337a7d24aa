"""Quota limits and usage (counted from live rows, inside the writing transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abaca.common.errors import OverLimit
from abaca.db.models import Quota, QuotaUsage, Share
from abaca.db.session import insert_or_get

RESOURCES = ("shares", "gigabytes", "snapshots", "snapshot_gigabytes", "share_networks")


def limits(session: Session, conf: Any, project_id: str) -> dict[str, int]:
    result = {name: int(getattr(conf.quota, name)) for name in RESOURCES}
    for row in session.scalars(select(Quota).where(
            Quota.project_id == project_id, Quota.user_id.is_(None),
            Quota.share_type_id.is_(None), Quota.deleted == "")):
        result[row.resource] = row.hard_limit
    return result


def usage(session: Session, project_id: str) -> dict[str, int]:
    count, gigabytes = session.execute(select(
        func.count(Share.id), func.coalesce(func.sum(Share.size), 0)).where(
        Share.project_id == project_id, Share.deleted == "")).one()
    return {"shares": int(count), "gigabytes": int(gigabytes), "snapshots": 0,
            "snapshot_gigabytes": 0, "share_networks": 0}


def lock_project(session: Session, project_id: str) -> None:
    """Serialise quota checks of one project until the transaction ends.

    The count of live rows is the usage; a row lock on the project's usage row makes
    the check-then-insert of two concurrent requests happen one after the other (on
    SQLite the process-wide write lock already does).
    """
    query = select(QuotaUsage).where(QuotaUsage.project_id == project_id,
                                     QuotaUsage.resource == "shares", QuotaUsage.deleted == "")
    row = session.scalar(query.with_for_update())
    if row is None:
        insert_or_get(session, QuotaUsage(project_id=project_id, resource="shares", in_use=0),
                      query)
        session.scalar(query.with_for_update())


def check_new_share(session: Session, conf: Any, project_id: str, size: int) -> None:
    lock_project(session, project_id)
    limit = limits(session, conf, project_id)
    used = usage(session, project_id)
    if 0 <= limit["shares"] < used["shares"] + 1:
        raise OverLimit(f"Maximum number of shares allowed ({limit['shares']}) exceeded.")
    if 0 <= limit["gigabytes"] < used["gigabytes"] + size:
        raise OverLimit(f"Requested share exceeds allowed project/user or share type "
                        f"gigabytes quota: {size}G requested, {used['gigabytes']}G of "
                        f"{limit['gigabytes']}G already used.")


def check_extend(session: Session, conf: Any, project_id: str, more_gb: int) -> None:
    lock_project(session, project_id)
    limit = limits(session, conf, project_id)["gigabytes"]
    used = usage(session, project_id)["gigabytes"]
    if 0 <= limit < used + more_gb:
        raise OverLimit(f"Requested share extend exceeds allowed gigabytes quota: {more_gb}G "
                        f"more requested, {used}G of {limit}G already used.")
