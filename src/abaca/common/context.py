"""The caller of an operation: who, for which project, with which roles."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any


def new_request_id() -> str:
    return f"req-{uuid.uuid4()}"


@dataclass(frozen=True)
class RequestContext:
    user_id: str | None
    project_id: str | None
    roles: tuple[str, ...] = ()
    is_admin: bool = False
    request_id: str = field(default_factory=new_request_id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["roles"] = list(self.roles)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestContext:
        return cls(user_id=data.get("user_id"), project_id=data.get("project_id"),
                   roles=tuple(data.get("roles") or ()), is_admin=bool(data.get("is_admin")),
                   request_id=data.get("request_id") or new_request_id())

    @classmethod
    def admin(cls) -> RequestContext:
        """The context of the service itself (periodic tasks, flows)."""
        return cls(user_id=None, project_id=None, roles=("admin",), is_admin=True)
