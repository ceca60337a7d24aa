"""Resource states and the transitions between them, as data.

Every status change goes through a ``check``, so an illegal transition is an error
at the point it is attempted, not a mystery later.
"""

from __future__ import annotations

from enum import StrEnum

from abaca.common.errors import InvalidStateTransition


def _check(kind: str, table: dict[str, frozenset[str]], current: str, new: str) -> None:
    if new not in table.get(current, frozenset()):
        raise InvalidStateTransition(f"{kind} cannot go from '{current}' to '{new}'")


class ShareStatus(StrEnum):
    CREATING = "creating"
    CREATING_FROM_SNAPSHOT = "creating_from_snapshot"
    AVAILABLE = "available"
    ERROR = "error"
    DELETING = "deleting"
    ERROR_DELETING = "error_deleting"
    DELETED = "deleted"
    EXTENDING = "extending"
    EXTENDING_ERROR = "extending_error"
    SHRINKING = "shrinking"
    SHRINKING_ERROR = "shrinking_error"
    SHRINKING_POSSIBLE_DATA_LOSS_ERROR = "shrinking_possible_data_loss_error"
    REVERTING = "reverting"
    REVERTING_ERROR = "reverting_error"
    MANAGE_STARTING = "manage_starting"
    MANAGE_ERROR = "manage_error"
    UNMANAGE_STARTING = "unmanage_starting"
    UNMANAGE_ERROR = "unmanage_error"
    UNMANAGED = "unmanaged"

    @staticmethod
    def check(current: str, new: str) -> None:
        _check("share", SHARE_TRANSITIONS, current, new)


S = ShareStatus

SHARE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATING: frozenset({S.AVAILABLE, S.ERROR, S.DELETING}),
    S.CREATING_FROM_SNAPSHOT: frozenset({S.AVAILABLE, S.ERROR, S.DELETING}),
    S.AVAILABLE: frozenset({S.DELETING, S.ERROR, S.EXTENDING, S.SHRINKING, S.REVERTING,
                            S.UNMANAGE_STARTING}),
    S.ERROR: frozenset({S.DELETING, S.AVAILABLE, S.UNMANAGE_STARTING}),
    S.DELETING: frozenset({S.DELETED, S.ERROR_DELETING}),
    S.ERROR_DELETING: frozenset({S.DELETING}),
    S.DELETED: frozenset(),
    S.EXTENDING: frozenset({S.AVAILABLE, S.EXTENDING_ERROR}),
    S.EXTENDING_ERROR: frozenset({S.DELETING, S.AVAILABLE}),
    S.SHRINKING: frozenset({S.AVAILABLE, S.SHRINKING_ERROR,
                            S.SHRINKING_POSSIBLE_DATA_LOSS_ERROR}),
    S.SHRINKING_ERROR: frozenset({S.DELETING, S.AVAILABLE}),
    S.SHRINKING_POSSIBLE_DATA_LOSS_ERROR: frozenset({S.DELETING, S.AVAILABLE}),
    S.REVERTING: frozenset({S.AVAILABLE, S.REVERTING_ERROR}),
    S.REVERTING_ERROR: frozenset({S.DELETING, S.AVAILABLE}),
    S.MANAGE_STARTING: frozenset({S.AVAILABLE, S.MANAGE_ERROR}),
    S.MANAGE_ERROR: frozenset({S.DELETING, S.UNMANAGE_STARTING}),
    S.UNMANAGE_STARTING: frozenset({S.UNMANAGED, S.UNMANAGE_ERROR}),
    S.UNMANAGE_ERROR: frozenset({S.UNMANAGE_STARTING, S.DELETING}),
    S.UNMANAGED: frozenset(),
}

# States from which the API accepts a delete request.
SHARE_DELETABLE = frozenset({S.AVAILABLE, S.ERROR, S.ERROR_DELETING, S.EXTENDING_ERROR,
                             S.SHRINKING_ERROR, S.SHRINKING_POSSIBLE_DATA_LOSS_ERROR,
                             S.REVERTING_ERROR, S.MANAGE_ERROR, S.UNMANAGE_ERROR})
# States in which work is under way on the backend (no access changes then).
SHARE_TRANSITIONAL = frozenset({S.CREATING, S.CREATING_FROM_SNAPSHOT, S.DELETING,
                                S.EXTENDING, S.SHRINKING, S.REVERTING, S.MANAGE_STARTING,
                                S.UNMANAGE_STARTING})


class SnapshotStatus(StrEnum):
    CREATING = "creating"
    AVAILABLE = "available"
    ERROR = "error"
    DELETING = "deleting"
    ERROR_DELETING = "error_deleting"
    DELETED = "deleted"
    RESTORING = "restoring"
    MANAGE_STARTING = "manage_starting"
    MANAGE_ERROR = "manage_error"
    UNMANAGE_STARTING = "unmanage_starting"
    UNMANAGE_ERROR = "unmanage_error"
    UNMANAGED = "unmanaged"

    @staticmethod
    def check(current: str, new: str) -> None:
        _check("snapshot", SNAPSHOT_TRANSITIONS, current, new)


N = SnapshotStatus

SNAPSHOT_TRANSITIONS: dict[str, frozenset[str]] = {
    N.CREATING: frozenset({N.AVAILABLE, N.ERROR, N.DELETING}),
    N.AVAILABLE: frozenset({N.DELETING, N.RESTORING, N.ERROR, N.UNMANAGE_STARTING}),
    N.ERROR: frozenset({N.DELETING, N.AVAILABLE, N.UNMANAGE_STARTING}),
    N.DELETING: frozenset({N.DELETED, N.ERROR_DELETING}),
    N.ERROR_DELETING: frozenset({N.DELETING}),
    N.DELETED: frozenset(),
    N.RESTORING: frozenset({N.AVAILABLE, N.ERROR}),
    N.MANAGE_STARTING: frozenset({N.AVAILABLE, N.MANAGE_ERROR}),
    N.MANAGE_ERROR: frozenset({N.DELETING, N.UNMANAGE_STARTING}),
    N.UNMANAGE_STARTING: frozenset({N.UNMANAGED, N.UNMANAGE_ERROR}),
    N.UNMANAGE_ERROR: frozenset({N.UNMANAGE_STARTING, N.DELETING}),
    N.UNMANAGED: frozenset(),
}
SNAPSHOT_DELETABLE = frozenset({N.AVAILABLE, N.ERROR, N.ERROR_DELETING, N.MANAGE_ERROR,
                                N.UNMANAGE_ERROR})


class AccessState(StrEnum):
    QUEUED_TO_APPLY = "queued_to_apply"
    APPLYING = "applying"
    ACTIVE = "active"
    ERROR = "error"
    QUEUED_TO_DENY = "queued_to_deny"
    DENYING = "denying"
    DELETED = "deleted"

    @staticmethod
    def check(current: str, new: str) -> None:
        _check("access rule", ACCESS_TRANSITIONS, current, new)


A = AccessState

ACCESS_TRANSITIONS: dict[str, frozenset[str]] = {
    A.QUEUED_TO_APPLY: frozenset({A.APPLYING, A.QUEUED_TO_DENY, A.ERROR}),
    # back to queued: a share service restarted while it was applying
    A.APPLYING: frozenset({A.ACTIVE, A.ERROR, A.QUEUED_TO_DENY, A.QUEUED_TO_APPLY}),
    A.ACTIVE: frozenset({A.QUEUED_TO_DENY, A.APPLYING, A.ERROR}),
    A.ERROR: frozenset({A.QUEUED_TO_DENY, A.APPLYING}),
    A.QUEUED_TO_DENY: frozenset({A.DENYING}),
    A.DENYING: frozenset({A.DELETED, A.ERROR, A.QUEUED_TO_DENY}),
    A.DELETED: frozenset(),
}


class AccessRulesStatus(StrEnum):
    ACTIVE = "active"
    SYNCING = "syncing"
    ERROR = "error"


class ServiceStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
