"""The default group snapshot of a driver without GroupSupport (one snapshot per member,
none left behind when one of them fails), the group capabilities a pool reports, and
the time-out of group creates whose request was lost."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from abaca.common.errors import DriverError
from abaca.db import migrate
from abaca.db.models import Message, ShareGroup, ShareGroupType, utcnow
from abaca.db.session import Database
from abaca.share.driver_api import (
    AccessRule,
    BackendConfig,
    BackendStats,
    ShareRequest,
    ShareResult,
    SnapshotRequest,
    SnapshotResult,
    SnapshotSupport,
    StorageDriver,
)
from abaca.share.flows.share_group_recovery import fail_lost_creates
from abaca.share.flows.share_groups import _one_by_one, add_group_capabilities


class Snapshots(StorageDriver, SnapshotSupport):
    """Records its snapshots; fails the member named in ``fail_on``."""

    def __init__(self, fail_on: str | None = None) -> None:
        super().__init__(BackendConfig(name="t", share_backend_name="t",
                                       availability_zone="z",
                                       driver_handles_share_servers=False, state_path="/x",
                                       options=None))
        self.fail_on = fail_on
        self.snapshots: set[str] = set()

    def create_snapshot(self, snapshot: SnapshotRequest) -> SnapshotResult:
        if snapshot.snapshot_id == self.fail_on:
            raise DriverError("no room")
        self.snapshots.add(snapshot.snapshot_id)
        return SnapshotResult(provider_location=snapshot.name, size=snapshot.size)

    def delete_snapshot(self, snapshot: SnapshotRequest) -> None:
        self.snapshots.discard(snapshot.snapshot_id)

    def get_stats(self) -> BackendStats:
        raise NotImplementedError

    def create_share(self, share: ShareRequest) -> ShareResult:
        raise NotImplementedError

    def delete_share(self, share: ShareRequest) -> None:
        raise NotImplementedError

    def ensure_share(self, share: ShareRequest) -> ShareResult:
        raise NotImplementedError

    def update_access(self, share: ShareRequest, rules: Sequence[AccessRule],
                      add: Sequence[AccessRule], delete: Sequence[AccessRule]
                      ) -> dict[str, str]:
        raise NotImplementedError

    def create_share_from_snapshot(self, share: ShareRequest,
                                   snapshot: SnapshotRequest) -> ShareResult:
        raise NotImplementedError

    def revert_to_snapshot(self, share: ShareRequest, snapshot: SnapshotRequest,
                           rules: Sequence[AccessRule]) -> None:
        raise NotImplementedError


def _members(count: int) -> list[SnapshotRequest]:
    return [SnapshotRequest(snapshot_id=f"m{i}", name=f"share-snapshot-m{i}",
                            share=ShareRequest(instance_id=f"i{i}", share_id=f"s{i}",
                                               name=f"share-i{i}", size=1,
                                               share_proto="NFS", pool="p",
                                               project_id="proj"), size=1)
            for i in range(count)]


def test_every_member_is_snapshotted() -> None:
    driver = Snapshots()
    results = _one_by_one(driver, _members(3))
    assert set(results) == {"m0", "m1", "m2"} == driver.snapshots
    assert results["m1"].provider_location == "share-snapshot-m1"


def test_a_failed_member_leaves_no_snapshot_behind() -> None:
    driver = Snapshots(fail_on="m2")
    with pytest.raises(DriverError):
        _one_by_one(driver, _members(4))
    assert driver.snapshots == set()


def test_a_driver_without_snapshots_fails_the_group_snapshot() -> None:
    with pytest.raises(DriverError, match="no snapshots"):
        _one_by_one(object(), _members(1))  # type: ignore[arg-type]


def test_pools_report_group_capabilities_unless_configured() -> None:
    pool: dict[str, object] = {}
    add_group_capabilities(Snapshots(), pool)
    assert pool == {"sg_consistent_snapshot_support": None,
                    "share_group_stats": {"consistent_snapshot_support": None}}
    configured: dict[str, object] = {"sg_consistent_snapshot_support": "pool"}
    add_group_capabilities(Snapshots(), configured)
    assert configured["share_group_stats"] == {"consistent_snapshot_support": "pool"}


def test_a_group_whose_create_was_lost_goes_to_error_with_a_message(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'abaca.sqlite'}")
    migrate.sync(db)
    conf = SimpleNamespace(reconciler=SimpleNamespace(request_timeout=60))
    old = utcnow() - timedelta(seconds=120)
    with db.write() as session:
        gt = ShareGroupType(name="gt")
        session.add(gt)
        session.flush()
        rows = {name: ShareGroup(project_id="p", status=status, share_group_type_id=gt.id,
                                 host=host, created_at=created)
                for name, status, host, created in (
                    ("lost", "creating", None, old),
                    ("young", "creating", None, utcnow()),
                    ("placed", "creating", "h@b#p", old),
                    ("done", "available", None, old))}
        session.add_all(rows.values())
        session.flush()
        ids = {name: row.id for name, row in rows.items()}
    assert fail_lost_creates(db, conf) == 1
    with db.read() as session:
        status = {name: session.get_one(ShareGroup, ident).status
                  for name, ident in ids.items()}
        messages = [(m.resource_id, m.detail_id) for m in session.scalars(select(Message))]
    assert status == {"lost": "error", "young": "creating", "placed": "creating",
                      "done": "available"}
    assert messages == [(ids["lost"], "091")]
    db.dispose()
