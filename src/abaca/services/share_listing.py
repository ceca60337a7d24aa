"""Share list queries: visibility, filters, sorting and paging, all in SQL."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Invalid
from abaca.db.models import (
    ExportLocation,
    Share,
    ShareInstance,
    ShareMetadata,
    ShareType,
    ShareTypeExtraSpec,
)
from abaca.services import validation

SORT_KEYS: dict[str, Any] = {
    "id": Share.id,
    "status": ShareInstance.status,
    "size": Share.size,
    "host": ShareInstance.host,
    "share_proto": Share.share_proto,
    "availability_zone": ShareInstance.availability_zone,
    "user_id": Share.user_id,
    "project_id": Share.project_id,
    "created_at": Share.created_at,
    "updated_at": Share.updated_at,
    "name": Share.display_name,
    "display_name": Share.display_name,
    "description": Share.display_description,
    "display_description": Share.display_description,
    "share_type_id": Share.share_type_id,
    "share_type": Share.share_type_id,
    "share_network_id": Share.share_network_id,
    "snapshot_id": Share.snapshot_id,
    "is_public": Share.is_public,
}

EXACT_FILTERS: dict[str, Any] = {
    "name": Share.display_name,
    "display_name": Share.display_name,
    "description": Share.display_description,
    "status": ShareInstance.status,
    "share_type_id": Share.share_type_id,
    "snapshot_id": Share.snapshot_id,
    "share_network_id": Share.share_network_id,
    "share_group_id": Share.share_group_id,
    "share_proto": Share.share_proto,
    "size": Share.size,
    "availability_zone": ShareInstance.availability_zone,
    "user_id": Share.user_id,
}
# Filters that need a rule of their own (403 without it, as Manila).
ADMIN_FILTERS: dict[str, tuple[Any, str]] = {
    "host": (ShareInstance.host, "share:list_by_host"),
    "share_server_id": (ShareInstance.share_server_id, "share:list_by_share_server_id"),
}


@dataclass
class Page:
    shares: list[Share]
    count: int | None


def dict_param(value: str, name: str) -> dict[str, str]:
    """Clients send dict filters as JSON or as a Python literal (manilaclient)."""
    try:
        parsed = json.loads(value)
    except ValueError:
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError) as exc:
            raise Invalid(f"{name} must be a dictionary.") from exc
    if not isinstance(parsed, dict):
        raise Invalid(f"{name} must be a dictionary.")
    return {str(k): str(v) for k, v in parsed.items()}


def _int_param(params: dict[str, str], name: str) -> int | None:
    if name not in params:
        return None
    try:
        value = int(params[name])
    except ValueError as exc:
        raise Invalid(f"{name} must be an integer.") from exc
    if value < 0:
        raise Invalid(f"{name} must be >= 0.")
    return value


def list_shares(session: Session, ctx: RequestContext, params: dict[str, str], *,
                max_limit: int, inexact: bool, with_count: bool) -> Page:
    base = select(Share).join(ShareInstance, and_(ShareInstance.share_id == Share.id,
                                                  ShareInstance.deleted == ""))
    policy.authorize(ctx, "share:get_all")
    conds: list[ColumnElement[bool]] = [Share.deleted == ""]
    # Without share:list_all_projects, all_tenants is ignored (as Manila).
    all_tenants = validation.boolean(params.get("all_tenants", "0"), "all_tenants") \
        and policy.authorize(ctx, "share:list_all_projects", do_raise=False)
    is_public = params.get("is_public")
    if all_tenants:
        if params.get("project_id"):
            conds.append(Share.project_id == params["project_id"])
    elif is_public is not None and validation.boolean(is_public, "is_public"):
        conds.append(or_(Share.project_id == ctx.project_id, Share.is_public.is_(True)))
    else:
        conds.append(Share.project_id == ctx.project_id)
    for key, column in EXACT_FILTERS.items():
        if key in params:
            value: Any = params[key]
            if key == "share_proto":
                value = value.upper()
            conds.append(column == value)
    for key, (column, rule) in ADMIN_FILTERS.items():
        if key in params:
            policy.authorize(ctx, rule)
            conds.append(column == params[key])
    if inexact:
        for key, column in (("name~", Share.display_name),
                            ("description~", Share.display_description)):
            if params.get(key):
                conds.append(column.ilike(f"%{params[key]}%"))
    if "metadata" in params:
        for key, value in dict_param(params["metadata"], "metadata").items():
            conds.append(select(ShareMetadata.id).where(
                ShareMetadata.share_id == Share.id, ShareMetadata.key == key,
                ShareMetadata.value == value, ShareMetadata.deleted == "").exists())
    if "extra_specs" in params:
        for key, value in dict_param(params["extra_specs"], "extra_specs").items():
            conds.append(select(ShareTypeExtraSpec.id).where(
                ShareTypeExtraSpec.share_type_id == Share.share_type_id,
                ShareTypeExtraSpec.key == key, ShareTypeExtraSpec.value == value,
                ShareTypeExtraSpec.deleted == "").exists())
    if "share_type" in params:
        conds.append(Share.share_type_id.in_(select(ShareType.id).where(
            or_(ShareType.id == params["share_type"], ShareType.name == params["share_type"]))))
    if "export_location_id" in params or "export_location_path" in params:
        el = select(ExportLocation.id).where(
            ExportLocation.share_instance_id == ShareInstance.id, ExportLocation.deleted == "")
        if "export_location_id" in params:
            el = el.where(ExportLocation.id == params["export_location_id"])
        if "export_location_path" in params:
            el = el.where(ExportLocation.path == params["export_location_path"])
        conds.append(el.exists())
    query = base.where(*conds)
    count = None
    if with_count:
        count = session.scalar(select(func.count()).select_from(
            query.with_only_columns(Share.id).subquery()))
    query = _sorted_page(session, query, params, max_limit)
    return Page(shares=list(session.scalars(query).unique()), count=count)


def _sorted_page(session: Session, query: Select[Any], params: dict[str, str],
                 max_limit: int) -> Select[Any]:
    sort_key = params.get("sort_key", "created_at")
    sort_dir = params.get("sort_dir", "desc").lower()
    if sort_key not in SORT_KEYS:
        raise Invalid(f"Wrong sorting key provided - '{sort_key}'.")
    if sort_dir not in ("asc", "desc"):
        raise Invalid(f"Wrong sorting direction provided - '{sort_dir}'.")
    column = SORT_KEYS[sort_key]
    desc = sort_dir == "desc"
    if params.get("marker"):
        marker_id = params["marker"]
        row = session.execute(select(column).select_from(Share).join(
            ShareInstance, and_(ShareInstance.share_id == Share.id,
                                ShareInstance.deleted == "")).where(
            Share.id == marker_id)).first()
        if row is None:
            raise Invalid(f"marker [{marker_id}] not found")
        value = row[0]
        after = (column < value) if desc else (column > value)
        tie = (Share.id < marker_id) if desc else (Share.id > marker_id)
        if value is None:
            query = query.where(or_(column.is_(None) & tie, column.isnot(None))
                                if not desc else (column.is_(None) & tie))
        else:
            query = query.where(or_(after, and_(column == value, tie)))
    order = [column.desc(), Share.id.desc()] if desc else [column.asc(), Share.id.asc()]
    query = query.order_by(*order)
    limit = _int_param(params, "limit")
    offset = _int_param(params, "offset")
    query = query.limit(min(limit, max_limit) if limit is not None else max_limit)
    if offset:
        query = query.offset(offset)
    return query
