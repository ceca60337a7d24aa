"""The reconciler's per-state plans (common/recovery.py) against the state machines."""

from __future__ import annotations

import pytest

from abaca.common.recovery import SHARE_RECOVERY, SHARE_TIMEOUT, SNAPSHOT_RECOVERY, Recovery
from abaca.common.states import SHARE_TRANSITIONAL, ShareStatus, SnapshotStatus
from abaca.share.reconcile.orphans import share_pattern
from abaca.share.reconcile.records import SNAPSHOT_TRANSITIONAL


def test_every_transitional_share_state_has_a_plan() -> None:
    assert set(SHARE_RECOVERY) == set(SHARE_TRANSITIONAL)


def test_every_transitional_snapshot_state_has_a_plan() -> None:
    assert set(SNAPSHOT_RECOVERY) == set(SNAPSHOT_TRANSITIONAL)


@pytest.mark.parametrize("state", sorted(SHARE_RECOVERY))
def test_a_share_that_cannot_be_finished_ends_in_a_legal_error_state(state: str) -> None:
    plan = SHARE_RECOVERY[state]
    ShareStatus.check(state, plan.failed)  # raises on an illegal transition
    assert plan.failed not in SHARE_TRANSITIONAL
    assert plan.detail.text and plan.action.text


@pytest.mark.parametrize("state", sorted(SNAPSHOT_RECOVERY))
def test_a_snapshot_that_cannot_be_finished_ends_in_a_legal_state(state: str) -> None:
    plan = SNAPSHOT_RECOVERY[state]
    SnapshotStatus.check(state, plan.failed)
    assert plan.failed not in SNAPSHOT_TRANSITIONAL


def test_only_creates_time_out_and_they_end_in_error() -> None:
    assert set(SHARE_TIMEOUT) == {ShareStatus.CREATING, ShareStatus.CREATING_FROM_SNAPSHOT}
    for state, plan in SHARE_TIMEOUT.items():
        ShareStatus.check(state, plan.failed)
        assert plan.recovery is Recovery.FAIL


def test_what_cannot_be_redone_is_failed_not_guessed() -> None:
    # the export path of a manage request is not recorded anywhere
    assert SHARE_RECOVERY[ShareStatus.MANAGE_STARTING].recovery is Recovery.FAIL
    assert SNAPSHOT_RECOVERY[SnapshotStatus.MANAGE_STARTING].recovery is Recovery.FAIL


def test_orphan_names_follow_the_share_name_template() -> None:
    ident = "0123abcd-0000-4000-8000-00000000abcd"
    assert share_pattern("share-%s").fullmatch(f"share-{ident}")
    assert share_pattern("abaca_%s_x").fullmatch(f"abaca_{ident}_x")
    # a snapshot or a revert's leftover is not a share's tree
    assert not share_pattern("share-%s").fullmatch(f"share-snapshot-{ident}")
    assert not share_pattern("share-%s").fullmatch(f"share-{ident}.reverting")
