"""The share server state machine and the API's status sets (Manila's rules)."""

from __future__ import annotations

import pytest

from abaca.common.errors import InvalidStateTransition
from abaca.common.states import (
    SHARE_SERVER_DELETABLE,
    SHARE_SERVER_RESETTABLE,
    SHARE_SERVER_TRANSITIONS,
    SHARE_SERVER_UNMANAGEABLE,
    ShareServerStatus,
)

V = ShareServerStatus


@pytest.mark.parametrize(("current", "new"), [
    (V.CREATING, V.ACTIVE), (V.CREATING, V.ERROR), (V.ACTIVE, V.DELETING),
    (V.ERROR, V.DELETING), (V.DELETING, V.DELETED), (V.DELETING, V.ERROR),
    (V.MANAGE_STARTING, V.ACTIVE), (V.MANAGE_STARTING, V.MANAGE_ERROR),
    (V.ACTIVE, V.UNMANAGE_STARTING), (V.UNMANAGE_STARTING, V.UNMANAGED),
    (V.UNMANAGE_STARTING, V.UNMANAGE_ERROR),
])
def test_allowed(current: str, new: str) -> None:
    ShareServerStatus.check(current, new)


@pytest.mark.parametrize(("current", "new"), [
    (V.DELETED, V.ACTIVE), (V.UNMANAGED, V.ACTIVE), (V.CREATING, V.UNMANAGED),
    (V.DELETING, V.ACTIVE), (V.MANAGE_STARTING, V.DELETING),
])
def test_refused(current: str, new: str) -> None:
    with pytest.raises(InvalidStateTransition):
        ShareServerStatus.check(current, new)


def test_every_status_has_a_row_and_the_api_sets_are_statuses() -> None:
    assert set(SHARE_SERVER_TRANSITIONS) == set(V)
    for targets in SHARE_SERVER_TRANSITIONS.values():
        assert targets <= set(V)
    assert set(SHARE_SERVER_DELETABLE) == {V.ACTIVE, V.ERROR}
    assert SHARE_SERVER_UNMANAGEABLE >= SHARE_SERVER_DELETABLE
    assert not SHARE_SERVER_RESETTABLE & {V.DELETED, V.UNMANAGED}
