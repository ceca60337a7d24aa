"""Quota sets and quota classes as the API manages them (Manila's ``quota-sets`` and
``quota-class-sets``): validation, Manila's rules for what may be set, and the writes.

Rules (as Manila): ``-1`` is unlimited; a user's or a share type's limit may not pass
the project's, and a project's may not go below what its users were given; a limit
below what is in use and reserved is refused unless ``force`` is true; share-type
quotas have no share networks, share groups or share group snapshots. Every check runs
before the first write, in the transaction that writes, under the usage rows' locks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Invalid
from abaca.db.models import Quota, QuotaClass, utcnow
from abaca.db.session import Database
from abaca.services import quotas, share_types, validation

MAX_LIMIT = 2**31 - 1
NON_QUOTA_KEYS = frozenset({"tenant_id", "id", "force", "share_type"})
CLASS_NON_QUOTA_KEYS = frozenset({"class_name", "id"})
GROUP_RESOURCES = frozenset({"share_groups", "share_group_snapshots"})

VersionCheck = Callable[[str], bool]


def names(at_least: VersionCheck, *, share_type: bool = False) -> list[str]:
    """The resources a request at this version sees (a share type's fewer)."""
    return [r.name for r in quotas.RESOURCES
            if at_least(r.since) and (r.per_share_type or not share_type)]


def limit_value(value: Any, key: str) -> int:
    """A quota limit from a body: an integer (or integer string) from -1 up."""
    if isinstance(value, bool):
        raise Invalid(f"Quota '{value}' for {key} should be integer.")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise Invalid(f"Quota '{value}' for {key} should be integer.") from exc
    if isinstance(value, float) and number != value:
        raise Invalid(f"Quota '{value}' for {key} should be integer.")
    if number < -1:
        raise Invalid("Quota limit must be -1 or greater.")
    if number > MAX_LIMIT:
        raise Invalid(f"Quota limit for {key} must be at most {MAX_LIMIT}.")
    return number


def check_limit(key: str, limit: int, minimum: int, maximum: int, force: bool) -> None:
    """Manila's settable-range rule (minimum: what is used, reserved, or given to
    users; maximum: the project's limit for a user or a share type, -1 for none)."""
    if (limit < minimum and not force) and (maximum != -1 or limit != -1):
        raise Invalid(f"Quota limit {limit} for {key} must be greater than {minimum}.")
    if maximum != -1 and limit > maximum and not force:
        raise Invalid(f"Quota limit {limit} for {key} must be less than {maximum} "
                      "(the project's limit).")


def _bad_keys(body: Mapping[str, Any], allowed: list[str], extra: frozenset[str]) -> None:
    bad = sorted(k for k in body if k not in allowed and k not in extra)
    if bad:
        raise Invalid(f"Bad key(s) {','.join(bad)} in quota_set.")


@dataclass
class QuotaSetServices:
    conf: Any
    db: Database

    # quota sets -----------------------------------------------------------------------

    def _type_id(self, session: Any, ref: str | None) -> str | None:
        if not ref:
            return None
        text = validation.text(ref, "share_type", allow_empty=False) or ""
        return share_types.find(session, text).id

    def show(self, ctx: RequestContext, project_id: str, *, user_id: str | None,
             share_type: str | None, keys: list[str]) -> dict[str, int]:
        policy.authorize(ctx, "quota_set:show", {"project_id": project_id,
                                                 "user_id": user_id or ctx.user_id})
        with self.db.read() as session:
            type_id = self._type_id(session, share_type)
            found = quotas.limits(session, self.conf, project_id, user_id=user_id,
                                  share_type_id=type_id)
        return {key: found[key] for key in keys}

    def detail(self, ctx: RequestContext, project_id: str, *, user_id: str | None,
               share_type: str | None, keys: list[str]) -> dict[str, dict[str, int]]:
        policy.authorize(ctx, "quota_set:show", {"project_id": project_id,
                                                 "user_id": user_id or ctx.user_id})
        with self.db.read() as session:
            type_id = self._type_id(session, share_type)
            found = quotas.limits(session, self.conf, project_id, user_id=user_id,
                                  share_type_id=type_id)
            used = quotas.usage(session, project_id, user_id=user_id,
                                share_type_id=type_id)
        return {key: {"in_use": used.get(key, (0, 0))[0],
                      "reserved": used.get(key, (0, 0))[1], "limit": found[key]}
                for key in keys}

    def defaults(self, ctx: RequestContext, project_id: str,
                 keys: list[str]) -> dict[str, int]:
        policy.authorize(ctx, "quota_set:show", {"project_id": project_id,
                                                 "user_id": ctx.user_id})
        with self.db.read() as session:
            found = quotas.defaults(session, self.conf)
        return {key: found[key] for key in keys}

    def update(self, ctx: RequestContext, project_id: str, body: dict[str, Any], *,
               user_id: str | None, share_type: str | None,
               keys: list[str]) -> dict[str, int]:
        policy.authorize(ctx, "quota_set:update", {"project_id": project_id,
                                                   "user_id": user_id or ctx.user_id})
        if share_type:
            if "share_networks" in body:
                raise Invalid("'share_networks' quota cannot be set for share type. It "
                              "can be set only for project or user.")
            if GROUP_RESOURCES & set(body):
                raise Invalid("Share type quotas cannot constrain share groups and share "
                              "group snapshots.")
        _bad_keys(body, keys, NON_QUOTA_KEYS)
        force = validation.boolean(body.get("force", False), "force")
        wanted = {key: limit_value(value, key) for key, value in body.items()
                  if key not in NON_QUOTA_KEYS and value is not None}
        with self.db.write() as session:
            type_id = self._type_id(session, share_type)
            scope = quotas.Scope(project_id, user_id, type_id)
            rows = quotas.lock_usages(session, self.conf, scope, wanted)
            current = quotas.limits(session, self.conf, project_id, user_id=user_id,
                                    share_type_id=type_id)
            project = quotas.limits(session, self.conf, project_id)
            given = self._given_to_users(session, project_id) if not (user_id or type_id) \
                else {}
            for key, value in sorted(wanted.items()):
                row = rows.get((key, user_id or "", type_id or ""))
                used = row.in_use + row.reserved if row else 0
                if not force and value >= 0 and current[key] >= 0 and used > value:
                    raise Invalid(f"Quota value {value} for {key} is smaller than already "
                                  f"used and reserved {used}.")
                if user_id or type_id:
                    check_limit(key, value, used, project[key], force)
                else:
                    check_limit(key, value, max(used, given.get(key, 0)), -1, force)
            for key, value in wanted.items():
                self._set(session, project_id, user_id or "", type_id or "", key, value)
            found = quotas.limits(session, self.conf, project_id, user_id=user_id,
                                  share_type_id=type_id)
        return {key: found[key] for key in keys}

    @staticmethod
    def _given_to_users(session: Any, project_id: str) -> dict[str, int]:
        given: dict[str, int] = {}
        for row in session.scalars(select(Quota).where(
                Quota.project_id == project_id, Quota.user_id != "",
                Quota.deleted == "")):
            if row.hard_limit > 0:
                given[row.resource] = given.get(row.resource, 0) + row.hard_limit
        return given

    @staticmethod
    def _set(session: Any, project_id: str, user_id: str, type_id: str, key: str,
             value: int) -> None:
        _upsert(session, Quota, select(Quota.id).where(
            Quota.project_id == project_id, Quota.user_id == user_id,
            Quota.share_type_id == type_id, Quota.resource == key, Quota.deleted == ""),
            Quota(project_id=project_id, user_id=user_id, share_type_id=type_id,
                  resource=key, hard_limit=value))

    def delete(self, ctx: RequestContext, project_id: str, *, user_id: str | None,
               share_type: str | None) -> None:
        """Back to the defaults: the user's, the share type's, or (without either) all
        the project's quotas, its users' and share types' included."""
        policy.authorize(ctx, "quota_set:delete", {"project_id": project_id,
                                                   "user_id": user_id or ctx.user_id})
        with self.db.write() as session:
            query = select(Quota).where(Quota.project_id == project_id,
                                        Quota.deleted == "")
            if user_id:
                query = query.where(Quota.user_id == user_id)
            elif share_type:
                query = query.where(Quota.share_type_id == self._type_id(session,
                                                                         share_type))
            for row in session.scalars(query):
                row.soft_delete()

    # quota classes --------------------------------------------------------------------

    def show_class(self, ctx: RequestContext, class_name: str,
                   keys: list[str]) -> dict[str, int]:
        policy.authorize(ctx, "quota_class_set:show")
        name = _class_name(class_name)
        with self.db.read() as session:
            found = quotas.class_limits(session, self.conf, name)
        return {key: found[key] for key in keys}

    def update_class(self, ctx: RequestContext, class_name: str, body: dict[str, Any],
                     keys: list[str]) -> dict[str, int]:
        policy.authorize(ctx, "quota_class_set:update")
        name = _class_name(class_name)
        _bad_keys(body, keys, CLASS_NON_QUOTA_KEYS)
        wanted = {key: limit_value(value, key) for key, value in body.items()
                  if key not in CLASS_NON_QUOTA_KEYS and value is not None}
        with self.db.write() as session:
            for key, value in sorted(wanted.items()):
                _upsert(session, QuotaClass, select(QuotaClass.id).where(
                    QuotaClass.class_name == name, QuotaClass.resource == key,
                    QuotaClass.deleted == ""),
                    QuotaClass(class_name=name, resource=key, hard_limit=value))
            found = quotas.class_limits(session, self.conf, name)
        return {key: found[key] for key in keys}


def _upsert(session: Any, model: type[Quota] | type[QuotaClass], find: Any,
            row: Quota | QuotaClass) -> None:
    """Set a limit row's hard_limit, creating the row if missing. The row is found
    without a lock and updated by primary key: a locking search would lock (on
    MariaDB) every row it scans, and two updates of one project could deadlock."""
    found = session.scalar(find)
    if found is None:
        try:
            with session.begin_nested():
                session.add(row)
            return
        except IntegrityError:  # a concurrent update created it first
            found = session.scalar(find)
            if found is None:
                raise
    session.execute(update(model).where(model.id == found).values(
        hard_limit=row.hard_limit, updated_at=utcnow()))


def _class_name(value: str) -> str:
    return validation.text(value, "quota class name", allow_empty=False) or ""
