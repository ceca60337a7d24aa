"""Share types and their extra specs (DB-only operations)."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abaca.common.errors import Conflict, Forbidden, Invalid, NotFound
from abaca.common.types import ShareTypeSpec
from abaca.db.models import (
    Share,
    ShareGroupTypeShareType,
    ShareType,
    ShareTypeExtraSpec,
    ShareTypeProject,
)
from abaca.db.session import insert_or_get
from abaca.services import validation


class _WithSpecs(Protocol):
    def specs(self) -> dict[str, str]: ...


TypeT = TypeVar("TypeT", bound=_WithSpecs)

REQUIRED_SPECS = ("driver_handles_share_servers",)
BOOLEAN_SPECS = ("driver_handles_share_servers", "snapshot_support",
                 "create_share_from_snapshot_support", "revert_to_snapshot_support",
                 "mount_snapshot_support")
AVAILABILITY_ZONES_SPEC = "availability_zones"  # 2.48: the zones a type may be used in
MIN_SIZE_SPEC = "provisioning:min_share_size"  # 2.61: size limits of the type's shares
MAX_SIZE_SPEC = "provisioning:max_share_size"
# Specs a tenant may see; the rest are operator detail.
TENANT_VISIBLE_SPECS = frozenset(BOOLEAN_SPECS) | {AVAILABILITY_ZONES_SPEC,
                                                    "replication_type", MIN_SIZE_SPEC,
                                                    MAX_SIZE_SPEC}


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


def listed_visibility(raw: str, is_admin: bool) -> bool | None:
    """The ``is_public`` query of a type list (share or group types): public ones by
    default, ``all`` for every type; only admins may ask for the private ones alone."""
    is_public = None if raw.lower() == "all" else validation.boolean(raw, "is_public")
    return None if is_public is False and not is_admin else is_public


def with_specs(found: list[TypeT], wanted: dict[str, str]) -> list[TypeT]:
    """The types whose specs hold every ``wanted`` key with that value."""
    return [t for t in found if all(t.specs().get(k) == val for k, val in wanted.items())]


def spec_flag(st: ShareType, key: str) -> bool:
    """A boolean extra spec (``True``, ``<is> True``, ...); absent or malformed is False."""
    value = st.specs().get(key)
    if value is None:
        return False
    try:
        return validation.boolean(value.removeprefix("<is>").strip(), key)
    except Invalid:
        return False


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
        elif key == AVAILABILITY_ZONES_SPEC:
            value = _zone_list(value)
        elif key in (MIN_SIZE_SPEC, MAX_SIZE_SPEC):
            value = str(_size_limit(value, key))
        result[key] = value
    _check_size_limits(result)
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


def _zone_list(value: str) -> str:
    """``availability_zones``: a comma-separated list of zone names, stored tidied."""
    zones = [z.strip() for z in value.split(",")]
    if not zones or any(not z for z in zones):
        raise Invalid(f"extra spec {AVAILABILITY_ZONES_SPEC} must be a comma-separated "
                      f"list of availability zone names, not {value!r}.")
    return ",".join(dict.fromkeys(zones))


def _size_limit(value: str, key: str) -> int:
    try:
        return validation.positive_int(value, f"extra spec {key}")
    except Invalid:
        raise Invalid(f"extra spec {key} must be an integer number of GiB greater than 0, "
                      f"not {value!r}.") from None


def _check_size_limits(specs: dict[str, str]) -> None:
    if MIN_SIZE_SPEC in specs and MAX_SIZE_SPEC in specs and \
            int(specs[MIN_SIZE_SPEC]) > int(specs[MAX_SIZE_SPEC]):
        raise Invalid(f"extra spec {MIN_SIZE_SPEC} ({specs[MIN_SIZE_SPEC]}) is greater than "
                      f"{MAX_SIZE_SPEC} ({specs[MAX_SIZE_SPEC]}).")


def check_size(st: ShareType, size: int, *, operation: str = "create") -> None:
    """Refuse (400) a size outside the type's provisioning limits (2.61), as Manila's
    ``provision_filter_on_size``: ``create`` and ``manage`` check both limits,
    ``extend`` only the maximum and ``shrink`` only the minimum."""
    specs = st.specs()
    low, high = specs.get(MIN_SIZE_SPEC), specs.get(MAX_SIZE_SPEC)
    if low is not None and operation != "extend" and size < int(low):
        raise Invalid(f"Specified share size of '{size}' is less than the minimum required "
                      f"size of '{low}' for share type '{st.name}'.")
    if high is not None and operation != "shrink" and size > int(high):
        raise Invalid(f"Specified share size of '{size}' is greater than the maximum "
                      f"allowable size of '{high}' for share type '{st.name}'.")


def check_zone(st: ShareType, zone: str | None) -> None:
    """A zone the type's ``availability_zones`` (2.48) leaves out is refused (400)."""
    allowed = [z for z in st.specs().get(AVAILABILITY_ZONES_SPEC, "").split(",") if z]
    if zone and allowed and zone not in allowed:
        raise Invalid(f"Share type {st.name} (ID: {st.id}) is not supported within the "
                      f"availability zone chosen {zone}.")


def set_specs(session: Session, st: ShareType, specs: dict[str, str]) -> None:
    existing = {s.key: s for s in session.scalars(select(ShareTypeExtraSpec).where(
        ShareTypeExtraSpec.share_type_id == st.id, ShareTypeExtraSpec.deleted == ""))}
    _check_size_limits({**{k: s.value for k, s in existing.items()}, **specs})
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
    group_types = session.scalar(select(func.count(ShareGroupTypeShareType.id)).where(
        ShareGroupTypeShareType.share_type_id == st.id,
        ShareGroupTypeShareType.deleted == ""))
    if group_types:
        raise Invalid(f"Share type {st.name} is in use by {group_types} share group types.")
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


# project access to private types ---------------------------------------------------


def access_list(session: Session, st: ShareType) -> list[str]:
    if st.is_public:
        raise NotFound("Access list not available for public share types.")
    return list(session.scalars(select(ShareTypeProject.project_id).where(
        ShareTypeProject.share_type_id == st.id, ShareTypeProject.deleted == "")
        .order_by(ShareTypeProject.created_at, ShareTypeProject.id)))


def _access_project(st: ShareType, body: Any, action: str) -> str:
    if st.is_public:
        raise Conflict("Type access modification is not applicable to public share type.")
    project = body.get("project") if isinstance(body, dict) else None
    if not isinstance(project, str) or not project.strip():
        raise Invalid(f"Malformed request body: {action} needs a 'project'.")
    return validation.text(project.strip(), "project", allow_empty=False) or ""


def add_access(session: Session, st: ShareType, body: Any) -> None:
    project = _access_project(st, body, "addProjectAccess")
    if project in access_list(session, st):
        raise Conflict(f"Share type access for {st.id} / {project} combination already "
                       "exists.")
    session.add(ShareTypeProject(share_type_id=st.id, project_id=project))


def remove_access(session: Session, st: ShareType, body: Any) -> None:
    project = _access_project(st, body, "removeProjectAccess")
    row = session.scalar(select(ShareTypeProject).where(
        ShareTypeProject.share_type_id == st.id, ShareTypeProject.project_id == project,
        ShareTypeProject.deleted == ""))
    if row is None:
        raise NotFound(f"Share type access not found for {st.id} / {project} combination.")
    row.soft_delete()
