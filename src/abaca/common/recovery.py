"""What the reconciler does with a resource a crash or a lost message left in a
transitional state: the companion of ``states.py``, as data.

``REDO`` runs the operation again: every driver call it makes is idempotent (creating
a share that exists, deleting one that is gone, snapshotting into an existing snapshot,
setting a size the share has, reverting again after a half-done revert all succeed), and
the row records what the operation needs (the instance's ``host`` once a pool was
chosen, the target size in the resize's quota reservation, the snapshot being restored).
When the redo fails, or what it needs is not recorded, the resource takes ``failed`` and
its owner gets a user message (``detail``).

``FAIL`` cannot be finished safely (the request's arguments are not recorded): the
resource takes ``failed`` with a user message; nothing on the backend is removed.

Access rules are not in these tables: a rule left ``applying`` goes back to
``queued_to_apply`` and ``denying`` to ``queued_to_deny``, and the share's batch runs
again (the driver is always given the whole wanted set).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from abaca.common.messages import Action, Detail
from abaca.common.states import ShareStatus, SnapshotStatus

S = ShareStatus
N = SnapshotStatus


class Recovery(StrEnum):
    REDO = "redo"
    FAIL = "fail"


@dataclass(frozen=True)
class Plan:
    recovery: Recovery
    failed: str  # the status when the operation cannot be finished
    action: Action  # the user message's action
    detail: Detail  # the user message's detail


SHARE_RECOVERY: dict[str, Plan] = {
    # the instance's host names the pool: the create is done again there; a create
    # whose message never reached a share service (host unset) is timed out instead
    S.CREATING: Plan(Recovery.REDO, S.ERROR, Action.CREATE, Detail.INTERRUPTED),
    S.CREATING_FROM_SNAPSHOT: Plan(Recovery.REDO, S.ERROR, Action.CREATE,
                                   Detail.INTERRUPTED),
    S.DELETING: Plan(Recovery.REDO, S.ERROR_DELETING, Action.DELETE, Detail.INTERRUPTED),
    # the target size is the recorded size plus the resize's pending gigabytes
    # reservation (origin share:<id>:resize)
    S.EXTENDING: Plan(Recovery.REDO, S.EXTENDING_ERROR, Action.EXTEND, Detail.INTERRUPTED),
    # as extending (the reservation's delta is negative); a shrink below the usage is
    # refused by the backend and loses nothing
    S.SHRINKING: Plan(Recovery.REDO, S.SHRINKING_ERROR, Action.SHRINK, Detail.INTERRUPTED),
    # the snapshot is the share's snapshot in ``restoring``
    S.REVERTING: Plan(Recovery.REDO, S.REVERTING_ERROR, Action.REVERT_TO_SNAPSHOT,
                      Detail.INTERRUPTED),
    # the export path to adopt is not recorded
    S.MANAGE_STARTING: Plan(Recovery.FAIL, S.MANAGE_ERROR, Action.MANAGE, Detail.INTERRUPTED),
    S.UNMANAGE_STARTING: Plan(Recovery.REDO, S.UNMANAGE_ERROR, Action.UNMANAGE,
                              Detail.INTERRUPTED),
    # the replica being promoted: promoted again (the driver takes a last update from the
    # still-active replica first, then serves this one with the share's rules)
    S.REPLICATION_CHANGE: Plan(Recovery.REDO, S.ERROR, Action.PROMOTE_REPLICA,
                               Detail.INTERRUPTED),
}

SNAPSHOT_RECOVERY: dict[str, Plan] = {
    N.CREATING: Plan(Recovery.REDO, N.ERROR, Action.CREATE_SNAPSHOT, Detail.INTERRUPTED),
    N.DELETING: Plan(Recovery.REDO, N.ERROR_DELETING, Action.DELETE_SNAPSHOT,
                     Detail.INTERRUPTED),
    # finished with its share's revert; alone (the share is no longer reverting) it
    # goes back to available: a snapshot is never changed by a revert
    N.RESTORING: Plan(Recovery.REDO, N.AVAILABLE, Action.REVERT_TO_SNAPSHOT,
                      Detail.INTERRUPTED),
    N.MANAGE_STARTING: Plan(Recovery.FAIL, N.MANAGE_ERROR, Action.MANAGE, Detail.INTERRUPTED),
    N.UNMANAGE_STARTING: Plan(Recovery.REDO, N.UNMANAGE_ERROR, Action.UNMANAGE,
                              Detail.INTERRUPTED),
}

# Statuses whose request may be lost before any share service took it: after
# [reconciler] request_timeout they go to ``error`` (scheduler's periodic check).
SHARE_TIMEOUT: dict[str, Plan] = {
    S.CREATING: Plan(Recovery.FAIL, S.ERROR, Action.CREATE, Detail.REQUEST_TIMED_OUT),
    S.CREATING_FROM_SNAPSHOT: Plan(Recovery.FAIL, S.ERROR, Action.CREATE,
                                   Detail.REQUEST_TIMED_OUT),
}
