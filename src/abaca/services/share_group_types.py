"""Share group types: their share types, group specs and project access (DB-only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abaca.common.errors import Conflict, Invalid, NotFound
from abaca.db.models import (
    ShareGroup,
    ShareGroupType,
    ShareGroupTypeProject,
    ShareGroupTypeShareType,
    ShareGroupTypeSpec,
)
from abaca.services import share_types, validation

# Group specs the scheduler understands; any other key is stored and matched by nothing.
CONSISTENT_SNAPSHOT_SUPPORT = "consistent_snapshot_support"
CONSISTENT_SNAPSHOT_VALUES = ("pool", "host")


def find(session: Session, ref: str, ctx_project: str | None = None,
         is_admin: bool = True) -> ShareGroupType:
    """A group type by id or name; private ones only for admins and allowed projects."""
    gt = session.scalar(select(ShareGroupType).where(ShareGroupType.id == ref,
                                                     ShareGroupType.deleted == ""))
    if gt is None:
        gt = session.scalar(select(ShareGroupType).where(ShareGroupType.name == ref,
                                                         ShareGroupType.deleted == ""))
    if gt is None or not (is_admin or gt.is_public or has_access(session, gt, ctx_project)):
        raise NotFound(f"Share group type {ref} could not be found.")
    return gt


def has_access(session: Session, gt: ShareGroupType, project_id: str | None) -> bool:
    return session.scalar(select(ShareGroupTypeProject.id).where(
        ShareGroupTypeProject.share_group_type_id == gt.id,
        ShareGroupTypeProject.project_id == project_id,
        ShareGroupTypeProject.deleted == "")) is not None


def default(session: Session, conf: Any) -> ShareGroupType | None:
    name = conf.default_share_group_type
    if not name:
        return None
    return session.scalar(select(ShareGroupType).where(ShareGroupType.name == name,
                                                       ShareGroupType.deleted == ""))


def list_types(session: Session, *, is_public: bool | None, project_id: str | None,
               is_admin: bool) -> list[ShareGroupType]:
    query = select(ShareGroupType).where(ShareGroupType.deleted == "").order_by(
        ShareGroupType.created_at, ShareGroupType.id)
    types = list(session.scalars(query))
    if is_public is not None:
        types = [t for t in types if t.is_public == is_public]
    if not is_admin:
        types = [t for t in types if t.is_public or has_access(session, t, project_id)]
    return types


def check_specs(specs: Any) -> dict[str, str]:
    if not isinstance(specs, dict):
        raise Invalid("group_specs must be an object of string keys and values.")
    result: dict[str, str] = {}
    for key, value in specs.items():
        key = validation.text(key, "group spec key", allow_none=False, allow_empty=False) or ""
        if isinstance(value, bool):
            value = str(value)
        value = validation.text(value, f"group spec {key}", allow_none=False) or ""
        if key == CONSISTENT_SNAPSHOT_SUPPORT and value not in CONSISTENT_SNAPSHOT_VALUES:
            raise Invalid(f"group spec {key} must be one of "
                          f"{', '.join(CONSISTENT_SNAPSHOT_VALUES)}, not {value!r}.")
        result[key] = value
    return result


def create(session: Session, *, name: Any, share_type_refs: Any, specs: Any,
           is_public: bool) -> ShareGroupType:
    name = validation.text(name, "name", allow_none=False, allow_empty=False)
    checked = check_specs(specs if specs is not None else {})
    if not isinstance(share_type_refs, list) or not share_type_refs:
        raise Invalid("share_types must be a non-empty list of share type ids or names.")
    type_ids: list[str] = []
    for ref in share_type_refs:
        text_ref = validation.text(ref, "share_types", allow_none=False, allow_empty=False)
        try:
            st = share_types.find(session, text_ref or "")
        except NotFound as exc:
            raise NotFound(f"Share type {text_ref} could not be found.") from exc
        if st.id not in type_ids:
            type_ids.append(st.id)
    if session.scalar(select(ShareGroupType.id).where(ShareGroupType.name == name,
                                                      ShareGroupType.deleted == "")):
        raise Conflict(f"Share group type {name} already exists.")
    gt = ShareGroupType(name=name, is_public=is_public)
    session.add(gt)
    session.flush()
    for type_id in type_ids:
        session.add(ShareGroupTypeShareType(share_group_type_id=gt.id, share_type_id=type_id))
    set_specs(session, gt, checked)
    return gt


def set_specs(session: Session, gt: ShareGroupType, specs: dict[str, str]) -> None:
    existing = {s.key: s for s in session.scalars(select(ShareGroupTypeSpec).where(
        ShareGroupTypeSpec.share_group_type_id == gt.id, ShareGroupTypeSpec.deleted == ""))}
    for key, value in specs.items():
        if key in existing:
            existing[key].value = value
        else:
            session.add(ShareGroupTypeSpec(share_group_type_id=gt.id, key=key, value=value))
    session.flush()
    session.expire(gt, ["group_specs", "share_types"])


def delete_spec(session: Session, gt: ShareGroupType, key: str) -> None:
    spec = session.scalar(select(ShareGroupTypeSpec).where(
        ShareGroupTypeSpec.share_group_type_id == gt.id, ShareGroupTypeSpec.key == key,
        ShareGroupTypeSpec.deleted == ""))
    if spec is None:
        raise NotFound(f"Share group type {gt.id} has no group spec with key {key}.")
    spec.soft_delete()
    session.flush()
    session.expire(gt, ["group_specs"])


def delete(session: Session, gt: ShareGroupType) -> None:
    in_use = session.scalar(select(func.count(ShareGroup.id)).where(
        ShareGroup.share_group_type_id == gt.id, ShareGroup.deleted == ""))
    if in_use:
        raise Invalid(f"Share group type {gt.name} is in use by {in_use} share groups.")
    rows: list[Any] = [*gt.group_specs, *gt.share_types]
    rows += session.scalars(select(ShareGroupTypeProject).where(
        ShareGroupTypeProject.share_group_type_id == gt.id,
        ShareGroupTypeProject.deleted == ""))
    for row in rows:
        row.soft_delete()
    gt.soft_delete()


def projects(session: Session, gt: ShareGroupType) -> list[str]:
    return list(session.scalars(select(ShareGroupTypeProject.project_id).where(
        ShareGroupTypeProject.share_group_type_id == gt.id,
        ShareGroupTypeProject.deleted == "").order_by(ShareGroupTypeProject.id)))


def add_project(session: Session, gt: ShareGroupType, project_id: Any) -> None:
    project = validation.text(project_id, "project", allow_none=False, allow_empty=False)
    if gt.is_public:
        raise Conflict(f"Share group type {gt.id} is public; access lists are for private "
                       "types only.")
    if has_access(session, gt, project):
        raise Conflict(f"Share group type access for {gt.id} / {project} already exists.")
    session.add(ShareGroupTypeProject(share_group_type_id=gt.id, project_id=project))


def remove_project(session: Session, gt: ShareGroupType, project_id: Any) -> None:
    project = validation.text(project_id, "project", allow_none=False, allow_empty=False)
    if gt.is_public:
        raise Conflict(f"Share group type {gt.id} is public; access lists are for private "
                       "types only.")
    row = session.scalar(select(ShareGroupTypeProject).where(
        ShareGroupTypeProject.share_group_type_id == gt.id,
        ShareGroupTypeProject.project_id == project, ShareGroupTypeProject.deleted == ""))
    if row is None:
        raise NotFound(f"Share group type access for {gt.id} / {project} not found.")
    row.soft_delete()
