"""Sorting and paging of list queries: ``sort_key``, ``sort_dir``, ``limit``, ``offset``
with Manila's error messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select

from abaca.common.errors import Invalid


def limit_offset(params: Mapping[str, str]) -> tuple[int | None, int]:
    """``limit`` (None when not given) and ``offset``; 400 unless whole and >= 0."""
    try:
        limit = int(params["limit"]) if "limit" in params else None
        offset = int(params.get("offset", 0))
    except ValueError as exc:
        raise Invalid("limit and offset must be integers.") from exc
    if (limit is not None and limit < 0) or offset < 0:
        raise Invalid("limit and offset must be >= 0.")
    return limit, offset


def page(query: Select[Any], params: Mapping[str, str], sort_keys: Mapping[str, Any],
         max_limit: int) -> Select[Any]:
    """Sort by one of ``sort_keys`` (name -> column; ``id`` breaks ties, in the same
    direction) and take one page of at most ``max_limit`` rows."""
    key = params.get("sort_key", "created_at")
    if key not in sort_keys:
        raise Invalid(f"Wrong sorting key provided - '{key}'.")
    direction = params.get("sort_dir", "desc").lower()
    if direction not in ("asc", "desc"):
        raise Invalid(f"Wrong sorting direction provided - '{direction}'.")
    limit, offset = limit_offset(params)
    column, id_column = sort_keys[key], sort_keys["id"]
    order = ([column.desc(), id_column.desc()] if direction == "desc"
             else [column.asc(), id_column.asc()])
    return query.order_by(*order).limit(min(limit if limit is not None else max_limit,
                                            max_limit)).offset(offset)
