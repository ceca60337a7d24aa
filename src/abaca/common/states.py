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
    REPLICATION_CHANGE = "replication_change"

    @staticmethod
    def check(current: str, new: str) -> None:
        _check("share", SHARE_TRANSITIONS, current, new)


S = ShareStatus

SHARE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATING: frozenset({S.AVAILABLE, S.ERROR, S.DELETING}),
    S.CREATING_FROM_SNAPSHOT: frozenset({S.AVAILABLE, S.ERROR, S.DELETING}),
    S.AVAILABLE: frozenset({S.DELETING, S.ERROR, S.EXTENDING, S.SHRINKING, S.REVERTING,
                            S.UNMANAGE_STARTING, S.REPLICATION_CHANGE}),
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
    # promoting a replica: both the new and the old active replica pass through it
    S.REPLICATION_CHANGE: frozenset({S.AVAILABLE, S.ERROR}),
}

# States from which the API accepts a delete request.
SHARE_DELETABLE = frozenset({S.AVAILABLE, S.ERROR, S.ERROR_DELETING, S.EXTENDING_ERROR,
                             S.SHRINKING_ERROR, S.SHRINKING_POSSIBLE_DATA_LOSS_ERROR,
                             S.REVERTING_ERROR, S.MANAGE_ERROR, S.UNMANAGE_ERROR})
# States in which work is under way on the backend (no access changes then).
SHARE_TRANSITIONAL = frozenset({S.CREATING, S.CREATING_FROM_SNAPSHOT, S.DELETING,
                                S.EXTENDING, S.SHRINKING, S.REVERTING, S.MANAGE_STARTING,
                                S.UNMANAGE_STARTING, S.REPLICATION_CHANGE})


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


class ReplicaState(StrEnum):
    """The ``replica_state`` of an instance of a replicated share (no transition table:
    the driver reports whatever it finds, and admins may reset it to any of these)."""

    ACTIVE = "active"
    IN_SYNC = "in_sync"
    OUT_OF_SYNC = "out_of_sync"
    ERROR = "error"


class ReplicationType(StrEnum):
    WRITABLE = "writable"
    READABLE = "readable"
    DR = "dr"


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


class ShareServerStatus(StrEnum):
    CREATING = "creating"
    ACTIVE = "active"
    ERROR = "error"
    DELETING = "deleting"
    DELETED = "deleted"
    MANAGE_STARTING = "manage_starting"
    MANAGE_ERROR = "manage_error"
    UNMANAGE_STARTING = "unmanage_starting"
    UNMANAGE_ERROR = "unmanage_error"
    UNMANAGED = "unmanaged"
    INACTIVE = "inactive"
    NETWORK_CHANGE = "network_change"

    @staticmethod
    def check(current: str, new: str) -> None:
        _check("share server", SHARE_SERVER_TRANSITIONS, current, new)


V = ShareServerStatus

SHARE_SERVER_TRANSITIONS: dict[str, frozenset[str]] = {
    V.CREATING: frozenset({V.ACTIVE, V.ERROR, V.DELETING}),
    V.ACTIVE: frozenset({V.DELETING, V.ERROR, V.UNMANAGE_STARTING, V.NETWORK_CHANGE,
                         V.INACTIVE}),
    V.ERROR: frozenset({V.DELETING, V.ACTIVE, V.UNMANAGE_STARTING}),
    V.DELETING: frozenset({V.DELETED, V.ERROR}),
    V.DELETED: frozenset(),
    V.MANAGE_STARTING: frozenset({V.ACTIVE, V.MANAGE_ERROR}),
    V.MANAGE_ERROR: frozenset({V.DELETING, V.UNMANAGE_STARTING, V.MANAGE_STARTING}),
    V.UNMANAGE_STARTING: frozenset({V.UNMANAGED, V.UNMANAGE_ERROR}),
    V.UNMANAGE_ERROR: frozenset({V.UNMANAGE_STARTING, V.DELETING}),
    V.UNMANAGED: frozenset(),
    V.INACTIVE: frozenset({V.ACTIVE, V.ERROR, V.DELETING}),
    V.NETWORK_CHANGE: frozenset({V.ACTIVE, V.ERROR}),
}

# Manila's API rules: delete from these (else 403), unmanage from these (else 400);
# reset_status (admin) may set any of SHARE_SERVER_RESETTABLE, bypassing the table.
SHARE_SERVER_DELETABLE = frozenset({V.ACTIVE, V.ERROR})
SHARE_SERVER_UNMANAGEABLE = frozenset({V.ACTIVE, V.ERROR, V.MANAGE_ERROR,
                                       V.UNMANAGE_ERROR})
SHARE_SERVER_RESETTABLE = frozenset({V.ACTIVE, V.ERROR, V.DELETING, V.CREATING,
                                     V.MANAGE_STARTING, V.UNMANAGE_STARTING,
                                     V.MANAGE_ERROR, V.UNMANAGE_ERROR})


class ShareNetworkStatus(StrEnum):
    ACTIVE = "active"
    ERROR = "error"
    NETWORK_CHANGE = "network_change"


class ShareGroupStatus(StrEnum):
    """Statuses of share groups and of share group snapshots (and their members)."""

    CREATING = "creating"
    AVAILABLE = "available"
    ERROR = "error"
    DELETING = "deleting"
    ERROR_DELETING = "error_deleting"
    DELETED = "deleted"

    @staticmethod
    def check(current: str, new: str) -> None:
        _check("share group", SHARE_GROUP_TRANSITIONS, current, new)


G = ShareGroupStatus

SHARE_GROUP_TRANSITIONS: dict[str, frozenset[str]] = {
    G.CREATING: frozenset({G.AVAILABLE, G.ERROR, G.DELETING}),
    G.AVAILABLE: frozenset({G.DELETING, G.ERROR}),
    G.ERROR: frozenset({G.DELETING, G.AVAILABLE}),
    G.DELETING: frozenset({G.DELETED, G.ERROR_DELETING}),
    G.ERROR_DELETING: frozenset({G.DELETING}),
    G.DELETED: frozenset(),
}
# States from which the API accepts a delete of a group or of a group snapshot.
SHARE_GROUP_DELETABLE = frozenset({G.AVAILABLE, G.ERROR})
