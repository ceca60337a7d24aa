"""Share types and their extra specs (DB-only operations)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abaca.common.errors import Conflict, Forbidden, Invalid, NotFound
from abaca.common.types import ShareTypeSpec
from abaca.db.models import Share, ShareType, ShareTypeExtraSpec, ShareTypeProject
from abaca.db.session import insert_or_get
from abaca.services import validation

REQUIRED_SPECS = ("driver_handles_share_servers",)
BOOLEAN_SPECS = ("driver_handles_share_servers", "snapshot_support",
                 "create_share_from_snapshot_support", "revert_to_snapshot_support",
                 "mount_snapshot_support")
# Specs a tenant may see; the rest are operator detail.
TENANT_VISIBLE_SPECS = frozenset(BOOLEAN_SPECS) | {"availability_zones",
                                                    "replication_type"}


def find(session: Session, ref: str, ctx_project: str | None = None,
         is_admin: bool = True) -> ShareType:
    """A share type by id or name; private types only for admins and allowed projects."""
    st = session.scalar(select(ShareType).where(ShareType.id == ref, ShareType.deleted == ""))
    if st is None:
        st = session.scalar(select(ShareType).where(ShareType.name == ref,
                                                    ShareType.deleted == ""))
    if st is None or not (is_admin or st.is_public or _has_access(session, st, ctx_project)):
        raise NotFound(f"Share type {ref} could not be found.")
    return st


def _has_access(session: Session, st: ShareType, project_id: str | None) -> bool:
    return session.scalar(select(ShareTypeProject.id).where(
        ShareTypeProject.share_type_id == st.id, ShareTypeProject.project_id == project_id,
        ShareTypeProject.deleted == "")) is not None


def default(session: Session, conf: Any) -> ShareType | None:
    name = conf.default_share_type
    if not name:
        return None
    return session.scalar(select(ShareType).where(ShareType.name == name,
                                                  ShareType.deleted == ""))


def list_types(session: Session, *, is_public: bool | None, project_id: str | None,
               is_admin: bool) -> list[ShareType]:
    query = select(ShareType).where(ShareType.deleted == "").order_by(ShareType.created_at)
    types = list(session.scalars(query))
    if is_public is not None:
        types = [t for t in types if t.is_public == is_public]
    if not is_admin:
        types = [t for t in types if t.is_public or _has_access(session, t, project_id)]
    return types


def spec_of(st: ShareType) -> ShareTypeSpec:
    return ShareTypeSpec(id=st.id, name=st.name, extra_specs=st.specs())


def check_specs(specs: Any, *, require: bool) -> dict[str, str]:
    if not isinstance(specs, dict):
        raise Invalid("extra_specs must be an object of string keys and values.")
    result: dict[str, str] = {}
    for key, value in specs.items():
        if isinstance(value, bool):
            value = str(value)
        key = validation.text(key, "extra spec key", allow_none=False, allow_empty=False) or ""
        value = validation.text(value, f"extra spec {key}", allow_none=False) or ""
        if key in BOOLEAN_SPECS:
            bare = value.removeprefix("<is>").strip()
            validation.boolean(bare, f"extra spec {key}")
        result[key] = value
    if require:
        missing = [k for k in REQUIRED_SPECS if k not in result]
        if missing:
            raise Invalid(f"Required extra specification {missing[0]} is missing.")
    return result


def create(session: Session, *, name: Any, specs: Any, is_public: bool,
           description: Any) -> ShareType:
    name = validation.text(name, "name", allow_none=False, allow_empty=False)
    description = validation.text(description, "description")
    checked = check_specs(specs if specs is not None else {}, require=True)
    if session.scalar(select(ShareType.id).where(ShareType.name == name,
                                                 ShareType.deleted == "")):
        raise Conflict(f"Share Type {name} already exists.")
    st = ShareType(name=name, description=description, is_public=is_public)
    session.add(st)
    session.flush()
    set_specs(session, st, checked)
    return st


def set_specs(session: Session, st: ShareType, specs: dict[str, str]) -> None:
    existing = {s.key: s for s in session.scalars(select(ShareTypeExtraSpec).where(
        ShareTypeExtraSpec.share_type_id == st.id, ShareTypeExtraSpec.deleted == ""))}
    for key, value in specs.items():
        if key in existing:
            existing[key].value = value
        else:
            session.add(ShareTypeExtraSpec(share_type_id=st.id, key=key, value=value))
    session.flush()
    session.expire(st, ["extra_specs"])


def delete_spec(session: Session, st: ShareType, key: str) -> None:
    if key in REQUIRED_SPECS:
        raise Forbidden(f"Extra spec {key} is required and cannot be deleted.")
    spec = session.scalar(select(ShareTypeExtraSpec).where(
        ShareTypeExtraSpec.share_type_id == st.id, ShareTypeExtraSpec.key == key,
        ShareTypeExtraSpec.deleted == ""))
    if spec is None:
        raise NotFound(f"Share type {st.id} has no extra spec with key {key}.")
    spec.soft_delete()
    session.flush()
    session.expire(st, ["extra_specs"])


def delete(session: Session, st: ShareType) -> None:
    in_use = session.scalar(select(func.count(Share.id)).where(
        Share.share_type_id == st.id, Share.deleted == ""))
    if in_use:
        raise Invalid(f"Share type {st.name} is in use by {in_use} shares.")
    for spec in st.extra_specs:
        spec.soft_delete()
    st.soft_delete()


def update(session: Session, st: ShareType, body: dict[str, Any]) -> None:
    if "name" in body:
        name = validation.text(body["name"], "name", allow_none=False, allow_empty=False)
        if name != st.name and session.scalar(select(ShareType.id).where(
                ShareType.name == name, ShareType.deleted == "")):
            raise Conflict(f"Share Type {name} already exists.")
        st.name = name or st.name
    if "description" in body:
        st.description = validation.text(body["description"], "description")
    if "share_type_access:is_public" in body:
        st.is_public = validation.boolean(body["share_type_access:is_public"],
                                          "share_type_access:is_public")


def ensure_default(session: Session, conf: Any) -> ShareType | None:
    """Create the configured default share type (DHSS=False) if it does not exist."""
    if not conf.default_share_type:
        return None
    st = default(session, conf)
    if st is not None:
        return st
    query = select(ShareType).where(ShareType.name == conf.default_share_type,
                                    ShareType.deleted == "")
    st = insert_or_get(session, ShareType(name=conf.default_share_type, is_public=True,
                                          description="Created by Abaca as the default "
                                                      "share type"), query)
    if not st.extra_specs:
        set_specs(session, st, {"driver_handles_share_servers": "False"})
    return st
