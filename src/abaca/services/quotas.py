"""Quotas: limits per project, per user and per share type, and usage kept with
reservations (Manila's semantics).

Usage rows (``QuotaUsage``) exist per (project, resource) and, when known, per (project,
user, resource) and per (project, share type, resource); each holds ``in_use`` and
``reserved``. A request reserves what it will consume, under a row lock, so concurrent
requests cannot overshoot a limit on PostgreSQL, MariaDB or SQLite; the reservation is
then committed (moved into ``in_use``) or rolled back. Reservations not finished within
``[quota] reservation_expire`` seconds are rolled back by the next reservation on the
same usage rows. A usage row that is missing (or negative, or due per ``until_refresh`` /
``max_age``) is recounted from the live rows.

Public API (every call runs inside the caller's write transaction, ``db.write()``; the
row locks are held until it commits, so the rows the request writes and its usage
change commit together)::

    scope = quotas.Scope(project_id, user_id, share_type_id)   # "" or None: unscoped
    ids = quotas.reserve(session, conf, scope, {"shares": 1, "gigabytes": 10},
                         origin=f"share:{share_id}:create")  # may raise OverQuota (413)
    quotas.commit(session, ids)              # reserved -> in_use
    quotas.rollback(session, ids)            # release what was reserved
    quotas.commit_origin(session, origin)    # the same, finding reservations by origin
    quotas.rollback_origin(session, origin)  # (for a share service finishing the work)
    quotas.consume(session, conf, scope, deltas)  # reserve + commit at once
    quotas.release(session, scope, deltas)   # give back usage now (deltas positive)
    quotas.register_counter("share_networks", count_fn)  # recount from live rows

Negative deltas are never refused and reserve nothing: they take effect when committed
(a delete reserves ``{"shares": -1, ...}`` in the API and the share service commits it
when the backend has deleted the share). ``per_share_gigabytes`` is a limit, not a
usage: pass the size of the one share as its delta to have it checked.

Resources (``RESOURCES``): shares, gigabytes, snapshots, snapshot_gigabytes,
share_networks, share_groups and share_group_snapshots (API 2.40), share_replicas and
replica_gigabytes (2.53), per_share_gigabytes (2.62). Share networks, share groups and
group snapshots have no share-type quotas. Resources other than shares and snapshots
count 0 until their owners register a counter.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from abaca.common.errors import OverLimit, ServiceUnavailable
from abaca.db.models import (
    Quota,
    QuotaClass,
    QuotaUsage,
    Reservation,
    Share,
    ShareInstance,
    ShareSnapshot,
    utcnow,
)

DEFAULT_CLASS = "default"


@dataclass(frozen=True)
class Resource:
    name: str
    since: str  # the API microversion that introduced it
    per_share_type: bool = True  # share-type quotas exist for it
    counted: bool = True  # has a usage (per_share_gigabytes is only a limit)


RESOURCES: tuple[Resource, ...] = (
    Resource("shares", "2.0"),
    Resource("gigabytes", "2.0"),
    Resource("snapshots", "2.0"),
    Resource("snapshot_gigabytes", "2.0"),
    Resource("share_networks", "2.0", per_share_type=False),
    Resource("share_groups", "2.40", per_share_type=False),
    Resource("share_group_snapshots", "2.40", per_share_type=False),
    Resource("share_replicas", "2.53"),
    Resource("replica_gigabytes", "2.53"),
    Resource("per_share_gigabytes", "2.62", counted=False),
)
BY_NAME = {r.name: r for r in RESOURCES}
COUNTED = tuple(r.name for r in RESOURCES if r.counted)


@dataclass(frozen=True)
class Scope:
    """Whose quota: a project, and optionally the user and the share type consuming."""

    project_id: str
    user_id: str | None = None
    share_type_id: str | None = None

    def usage_keys(self) -> list[tuple[str, str]]:
        """(user_id, share_type_id) of the usage rows a change touches."""
        result = [("", "")]
        if self.user_id:
            result.append((self.user_id, ""))
        if self.share_type_id:
            result.append(("", self.share_type_id))
        return result


class OverQuota(OverLimit):
    """A reservation would pass a limit (HTTP 413)."""

    def __init__(self, message: str, resource: str, scope: str) -> None:
        super().__init__(message)
        self.resource = resource
        self.scope = scope


# How many of a resource live rows consume: fn(session, project, user, share_type) where
# user and share_type are "" when the count is not scoped by them.
Counter = Callable[[Session, str, str, str], int]
_COUNTERS: dict[str, Counter] = {}


def register_counter(resource: str, counter: Counter) -> None:
    """Tell the quota service how to recount ``resource`` from live rows."""
    if resource not in BY_NAME:
        raise ValueError(f"unknown quota resource {resource!r}")
    _COUNTERS[resource] = counter


# Where the counters registered by other modules live: loaded on first use, so that a
# process that never imported them (a share service, the scheduler) counts right too.
_COUNTER_MODULES = {
    "share_networks": "abaca.services.share_networks",
    "share_groups": "abaca.services.share_groups",
    "share_group_snapshots": "abaca.services.share_groups",
    "share_replicas": "abaca.services.share_replicas",
    "replica_gigabytes": "abaca.services.share_replicas",
}


def count(session: Session, resource: str, project_id: str, user_id: str = "",
          share_type_id: str = "") -> int:
    """How much of ``resource`` the live rows of this scope consume."""
    if resource not in _COUNTERS and resource in _COUNTER_MODULES:
        importlib.import_module(_COUNTER_MODULES[resource])
    counter = _COUNTERS.get(resource)
    return counter(session, project_id, user_id, share_type_id) if counter else 0


# Shares being managed are not counted until the backend has taken them over.
_NOT_YET_COUNTED = ("manage_starting", "manage_error")


def _share_filter(project_id: str, user_id: str, share_type_id: str) -> list[Any]:
    where: list[Any] = [Share.project_id == project_id, Share.deleted == "",
                        Share.id.not_in(select(ShareInstance.share_id).where(
                            ShareInstance.deleted == "",
                            ShareInstance.status.in_(_NOT_YET_COUNTED)))]
    if user_id:
        where.append(Share.user_id == user_id)
    if share_type_id:
        where.append(Share.share_type_id == share_type_id)
    return where


def _count_shares(session: Session, project: str, user: str, share_type: str) -> int:
    return int(session.scalar(select(func.count(Share.id)).where(
        *_share_filter(project, user, share_type))) or 0)


def _count_gigabytes(session: Session, project: str, user: str, share_type: str) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Share.size), 0)).where(
        *_share_filter(project, user, share_type))) or 0)


def _snapshot_query(what: Any, project: str, user: str, share_type: str) -> Any:
    query = select(what).where(ShareSnapshot.project_id == project,
                               ShareSnapshot.deleted == "",
                               ShareSnapshot.status.not_in(_NOT_YET_COUNTED))
    if user:
        query = query.where(ShareSnapshot.user_id == user)
    if share_type:
        query = query.join(Share, Share.id == ShareSnapshot.share_id).where(
            Share.share_type_id == share_type)
    return query


def _count_snapshots(session: Session, project: str, user: str, share_type: str) -> int:
    return int(session.scalar(_snapshot_query(func.count(ShareSnapshot.id), project, user,
                                              share_type)) or 0)


def _count_snapshot_gigabytes(session: Session, project: str, user: str,
                              share_type: str) -> int:
    return int(session.scalar(_snapshot_query(func.coalesce(func.sum(ShareSnapshot.size), 0),
                                              project, user, share_type)) or 0)


register_counter("shares", _count_shares)
register_counter("gigabytes", _count_gigabytes)
register_counter("snapshots", _count_snapshots)
register_counter("snapshot_gigabytes", _count_snapshot_gigabytes)


# Limits -------------------------------------------------------------------------------

def defaults(session: Session, conf: Any) -> dict[str, int]:
    """The limits of a project nobody set: the ``default`` quota class over [quota]."""
    return class_limits(session, conf, DEFAULT_CLASS)


def class_limits(session: Session, conf: Any, class_name: str) -> dict[str, int]:
    result = {r.name: int(getattr(conf.quota, r.name)) for r in RESOURCES}
    names = [DEFAULT_CLASS] if class_name == DEFAULT_CLASS else [DEFAULT_CLASS, class_name]
    for name in names:  # a named class falls back to the default class
        for row in session.scalars(select(QuotaClass).where(
                QuotaClass.class_name == name, QuotaClass.deleted == "")):
            if row.resource in result:
                result[row.resource] = row.hard_limit
    return result


def set_limits(session: Session, project_id: str, user_id: str = "",
               share_type_id: str = "") -> dict[str, int]:
    """Only the limits explicitly set for exactly this scope."""
    return {row.resource: row.hard_limit for row in session.scalars(select(Quota).where(
        Quota.project_id == project_id, Quota.user_id == user_id,
        Quota.share_type_id == share_type_id, Quota.deleted == ""))}


def limits(session: Session, conf: Any, project_id: str, *, user_id: str | None = None,
           share_type_id: str | None = None) -> dict[str, int]:
    """Effective limits of a project, or of one of its users or share types (which
    default to the project's)."""
    result = defaults(session, conf)
    result.update(set_limits(session, project_id))
    if user_id:
        result.update(set_limits(session, project_id, user_id=user_id))
    elif share_type_id:
        result.update(set_limits(session, project_id, share_type_id=share_type_id))
    return result


# Usage --------------------------------------------------------------------------------

def usage(session: Session, project_id: str, *, user_id: str | None = None,
          share_type_id: str | None = None) -> dict[str, tuple[int, int]]:
    """(in_use, reserved) per counted resource of one scope, without writing: a scope
    with no usage row yet is counted from the live rows."""
    user, stype = user_id or "", share_type_id or ""
    rows = {row.resource: row for row in session.scalars(select(QuotaUsage).where(
        QuotaUsage.project_id == project_id, QuotaUsage.user_id == user,
        QuotaUsage.share_type_id == stype, QuotaUsage.deleted == ""))}
    result: dict[str, tuple[int, int]] = {}
    for name in COUNTED:
        row = rows.get(name)
        if row is None or row.in_use < 0:
            result[name] = (count(session, name, project_id, user, stype),
                            row.reserved if row else 0)
        else:
            result[name] = (row.in_use, row.reserved)
    return result


def lock_usages(session: Session, conf: Any, scope: Scope,
                resources: Iterable[str]) -> dict[tuple[str, str, str], QuotaUsage]:
    """Lock (creating and counting where missing) the usage rows of ``scope`` for
    ``resources``, in one global order so that concurrent requests never deadlock.
    Keys are (resource, user_id, share_type_id)."""
    wanted = sorted({(name, user, stype) for name in resources
                     if BY_NAME[name].counted for user, stype in scope.usage_keys()
                     if not stype or BY_NAME[name].per_share_type})
    rows: dict[tuple[str, str, str], QuotaUsage] = {}
    for name, user, stype in wanted:
        rows[(name, user, stype)] = _lock_row(session, conf, scope.project_id, name, user,
                                              stype)
    return rows


def _lock_row(session: Session, conf: Any, project_id: str, resource: str, user: str,
              stype: str) -> QuotaUsage:
    # Found without a lock, then locked by primary key: a locking search on the other
    # columns would lock (on MariaDB) every row of the project it scans.
    find = select(QuotaUsage.id).where(
        QuotaUsage.project_id == project_id, QuotaUsage.user_id == user,
        QuotaUsage.share_type_id == stype, QuotaUsage.resource == resource,
        QuotaUsage.deleted == "")
    row_id = session.scalar(find)
    if row_id is None:
        _create_row(session, QuotaUsage(project_id=project_id, user_id=user,
                                        share_type_id=stype, resource=resource,
                                        in_use=UNCOUNTED, reserved=0))
        row_id = session.scalar(find)
    row = session.scalar(select(QuotaUsage).where(QuotaUsage.id == row_id).with_for_update()
                         .execution_options(populate_existing=True))
    if row is None:  # pragma: no cover - usage rows are never deleted
        raise RuntimeError(f"quota usage of {resource} in {project_id} vanished")
    if _refresh_due(conf, row):
        _refresh(session, conf, row)
    return row


# A usage row created but not yet counted from the live rows (done under its lock).
UNCOUNTED = -1


def _create_row(session: Session, row: QuotaUsage) -> None:
    """Create a missing usage row (a concurrent request may create its twin first).
    On PostgreSQL and MariaDB in a short transaction of its own, so that concurrent
    inserts wait for one another there instead of deadlocking inside the requests'
    transactions (which MariaDB would roll back whole); on SQLite the process-wide
    write lock already serialises writers."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name == "sqlite":
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            pass
        return
    values = {"project_id": row.project_id, "user_id": row.user_id,
              "share_type_id": row.share_type_id, "resource": row.resource,
              "in_use": UNCOUNTED, "reserved": 0}
    if bind.dialect.name == "postgresql":
        with bind.begin() as conn:
            conn.execute(postgresql.insert(QuotaUsage).values(**values)
                         .on_conflict_do_nothing())
        return
    # MariaDB: concurrent inserts (or upserts) of one new key deadlock on its unique
    # index; a named lock per project makes the creators take turns instead.
    name = "abaca-quota-" + hashlib.sha256(row.project_id.encode()).hexdigest()[:40]
    with bind.connect() as conn:
        if conn.execute(text("SELECT GET_LOCK(:name, 60)"), {"name": name}).scalar() != 1:
            raise ServiceUnavailable("Timed out waiting to create a quota usage record.")
        try:
            conn.commit()
            if conn.execute(select(QuotaUsage.id).where(
                    QuotaUsage.project_id == row.project_id,
                    QuotaUsage.user_id == row.user_id,
                    QuotaUsage.share_type_id == row.share_type_id,
                    QuotaUsage.resource == row.resource,
                    QuotaUsage.deleted == "")).first() is None:
                conn.execute(insert(QuotaUsage).values(**values))
            conn.commit()
        finally:
            conn.rollback()
            conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": name})
            conn.commit()


def _refresh_due(conf: Any, row: QuotaUsage) -> bool:
    if row.in_use < 0:
        return True
    if row.until_refresh is not None:
        row.until_refresh -= 1
        if row.until_refresh <= 0:
            return True
    max_age = int(conf.quota.max_age)
    changed = row.updated_at or row.created_at
    return bool(max_age and changed and (utcnow() - changed).total_seconds() >= max_age)


def _refresh(session: Session, conf: Any, row: QuotaUsage) -> None:
    session.flush()
    row.in_use = count(session, row.resource, row.project_id, row.user_id,
                       row.share_type_id)
    row.until_refresh = int(conf.quota.until_refresh) or None
    row.updated_at = utcnow()


# Reservations -------------------------------------------------------------------------

_MESSAGES = {
    "shares": "Maximum number of shares allowed ({limit}) exceeded.",
    "gigabytes": "Requested share exceeds allowed project/user or share type gigabytes "
                 "quota: {delta}G requested, {used}G of {limit}G already used.",
    "snapshots": "Maximum number of snapshots allowed ({limit}) exceeded.",
    "snapshot_gigabytes": "Requested snapshot exceeds allowed project/user or share type "
                          "snapshot_gigabytes quota: {delta}G requested, {used}G of "
                          "{limit}G already used.",
    "per_share_gigabytes": "Requested share size {delta} is larger than maximum allowed "
                           "limit {limit}.",
}


def _over(resource: str, scope: str, delta: int, used: int, limit: int) -> OverQuota:
    template = _MESSAGES.get(resource, "Quota exceeded for {resource} ({scope} quota): "
                                       "{delta} requested, {used} of {limit} already used.")
    message = template.format(resource=resource, scope=scope, delta=delta, used=used,
                              limit=limit)
    return OverQuota(message, resource, scope)


def _check_deltas(deltas: Mapping[str, int]) -> None:
    for name, delta in deltas.items():
        if name not in BY_NAME:
            raise ValueError(f"unknown quota resource {name!r}")
        if not isinstance(delta, int):
            raise TypeError(f"quota delta of {name} must be an int")


def reserve(session: Session, conf: Any, scope: Scope, deltas: Mapping[str, int], *,
            origin: str | None = None, expire: int | None = None) -> list[str]:
    """Reserve ``deltas`` for ``scope``; returns the reservation ids. Raises
    ``OverQuota`` (nothing reserved) when a positive delta would pass the project's,
    the user's or the share type's limit."""
    _check_deltas(deltas)
    deltas = {name: delta for name, delta in deltas.items() if delta}
    rows = lock_usages(session, conf, scope, deltas)
    _expire_locked(session, rows.values())
    checks = [("project", limits(session, conf, scope.project_id), "", "")]
    if scope.user_id:
        checks.append(("user", limits(session, conf, scope.project_id,
                                      user_id=scope.user_id), scope.user_id, ""))
    if scope.share_type_id:
        checks.append(("share type", limits(session, conf, scope.project_id,
                                            share_type_id=scope.share_type_id),
                       "", scope.share_type_id))
    for name, delta in sorted(deltas.items()):
        for label, limit_of, user, stype in checks:
            limit = limit_of[name]
            if delta <= 0 or limit < 0:
                continue
            if not BY_NAME[name].counted:
                if delta > limit:
                    raise _over(name, label, delta, 0, limit)
                continue
            row = rows.get((name, user, stype))
            if row is None:  # a share-type scope of a resource without share-type quotas
                continue
            used = row.in_use + row.reserved
            if used + delta > limit:
                raise _over(name, label, delta, used, limit)
    until = utcnow() + timedelta(seconds=expire or int(conf.quota.reservation_expire))
    ids: list[str] = []
    for (name, user, stype), row in rows.items():
        delta = deltas[name]
        if delta > 0:
            row.reserved += delta
        res = Reservation(usage_id=row.id, project_id=scope.project_id, user_id=user,
                          share_type_id=stype, resource=name, delta=delta, expire=until,
                          origin=origin)
        session.add(res)
        session.flush()
        ids.append(res.id)
    return ids


def _finish(session: Session, reservations: list[Reservation], *, commit: bool) -> None:
    """Commit or roll back ``reservations``: their usage rows are locked first (in the
    order ``lock_usages`` uses), then the reservations still pending among them."""
    if not reservations:
        return
    locked = {row.id: row for row in session.scalars(
        select(QuotaUsage).where(QuotaUsage.id.in_({r.usage_id for r in reservations}))
        .order_by(QuotaUsage.resource, QuotaUsage.user_id, QuotaUsage.share_type_id)
        .with_for_update().execution_options(populate_existing=True))}
    pending = session.scalars(select(Reservation).where(
        Reservation.id.in_([r.id for r in reservations]), Reservation.deleted == "")
        .with_for_update().execution_options(populate_existing=True))
    for res in pending:
        row = locked.get(res.usage_id)
        if row is not None:
            if res.delta > 0:
                row.reserved = max(0, row.reserved - res.delta)
            if commit and row.in_use != UNCOUNTED:
                row.in_use = max(0, row.in_use + res.delta)
        res.soft_delete()


def _pending(session: Session, query: Any) -> list[Reservation]:
    return list(session.scalars(query.where(Reservation.deleted == "")))


def commit(session: Session, reservation_ids: Iterable[str]) -> None:
    """Move reserved deltas into ``in_use``; unknown or finished ids are ignored."""
    ids = list(reservation_ids)
    if ids:
        _finish(session, _pending(session, select(Reservation).where(
            Reservation.id.in_(ids))), commit=True)


def rollback(session: Session, reservation_ids: Iterable[str]) -> None:
    """Release reserved deltas; unknown or finished ids are ignored."""
    ids = list(reservation_ids)
    if ids:
        _finish(session, _pending(session, select(Reservation).where(
            Reservation.id.in_(ids))), commit=False)


def commit_origin(session: Session, origin: str) -> bool:
    """Commit the pending reservations made with ``origin``; whether there were any."""
    found = _pending(session, select(Reservation).where(Reservation.origin == origin))
    _finish(session, found, commit=True)
    return bool(found)


def rollback_origin(session: Session, origin: str) -> bool:
    found = _pending(session, select(Reservation).where(Reservation.origin == origin))
    _finish(session, found, commit=False)
    return bool(found)


def consume(session: Session, conf: Any, scope: Scope, deltas: Mapping[str, int]) -> None:
    """Reserve and commit at once (the caller's rows are written in the same
    transaction); raises ``OverQuota`` like ``reserve``."""
    commit(session, reserve(session, conf, scope, deltas))


def release(session: Session, conf: Any, scope: Scope, deltas: Mapping[str, int]) -> None:
    """Give back usage now: ``deltas`` are what stops being consumed (positive)."""
    consume(session, conf, scope, {name: -abs(delta) for name, delta in deltas.items()})


def add_usage(session: Session, conf: Any, scope: Scope, deltas: Mapping[str, int]) -> None:
    """Count usage that already exists (a share an admin managed), even over quota."""
    _check_deltas(deltas)
    for (name, _user, _stype), row in lock_usages(session, conf, scope, deltas).items():
        row.in_use = max(0, row.in_use + deltas[name])


def _expire_locked(session: Session, rows: Iterable[QuotaUsage]) -> None:
    usage_ids = [row.id for row in rows]
    if not usage_ids:
        return
    expired = _pending(session, select(Reservation).where(
        Reservation.usage_id.in_(usage_ids), Reservation.expire < utcnow()))
    if expired:
        _finish(session, expired, commit=False)


def expire_reservations(session: Session) -> int:
    """Roll back every expired reservation (for a periodic task); how many."""
    expired = _pending(session, select(Reservation).where(Reservation.expire < utcnow()))
    _finish(session, expired, commit=False)
    return len(expired)


# Shares and snapshots -----------------------------------------------------------------

def share_scope(share: Share) -> Scope:
    return Scope(share.project_id, share.user_id, share.share_type_id)


def origin(kind: str, ident: str, action: str) -> str:
    """The tag of the reservations of one operation: ``share:<id>:extend``."""
    return f"{kind}:{ident}:{action}"


def is_counted(status: str) -> bool:
    """Whether a share or snapshot in ``status`` is in its project's usage (one being
    managed is not, until the backend has taken it over)."""
    return status not in _NOT_YET_COUNTED
