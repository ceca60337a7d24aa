"""Resource states and the transitions between them, as data.

Every status change of a share instance goes through ``ShareStatus.check``, so an
illegal transition is an error at the point it is attempted, not a mystery later.
"""

from __future__ import annotations

from enum import StrEnum

from abaca.common.errors import InvalidStateTransition


class ShareStatus(StrEnum):
    CREATING = "creating"
    AVAILABLE = "available"
    ERROR = "error"
    DELETING = "deleting"
    ERROR_DELETING = "error_deleting"
    DELETED = "deleted"

    @staticmethod
    def check(current: str, new: str) -> None:
        if new not in SHARE_TRANSITIONS.get(current, frozenset()):
            raise InvalidStateTransition(f"share cannot go from '{current}' to '{new}'")


S = ShareStatus

SHARE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATING: frozenset({S.AVAILABLE, S.ERROR, S.DELETING}),
    S.AVAILABLE: frozenset({S.DELETING, S.ERROR}),
    S.ERROR: frozenset({S.DELETING, S.AVAILABLE}),
    S.DELETING: frozenset({S.DELETED, S.ERROR_DELETING}),
    S.ERROR_DELETING: frozenset({S.DELETING}),
    S.DELETED: frozenset(),
}

# States from which the API accepts a delete request.
SHARE_DELETABLE = frozenset({S.AVAILABLE, S.ERROR, S.ERROR_DELETING})
# States in which work is under way on the backend.
SHARE_TRANSITIONAL = frozenset({S.CREATING, S.DELETING})


class AccessRulesStatus(StrEnum):
    ACTIVE = "active"
    SYNCING = "syncing"
    ERROR = "error"


class ServiceStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
