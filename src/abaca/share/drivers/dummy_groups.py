"""The dummy driver with native share groups (``share_driver = dummy_groups``): it
remembers its groups and takes a group snapshot of every member at once, all or none.
It reports ``consistent_snapshot_support = pool`` and fails any group method listed in
``dummy_fail_methods``."""

from __future__ import annotations

from collections.abc import Sequence

from abaca.share.driver_api import (
    BackendConfig,
    DriverError,
    GroupSupport,
    ShareGroupRequest,
    SnapshotRequest,
    SnapshotResult,
)
from abaca.share.drivers.dummy import DummyDriver


class DummyGroupDriver(DummyDriver, GroupSupport):
    consistent_snapshot_support = "pool"

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.groups: set[str] = set()

    def create_share_group(self, group: ShareGroupRequest) -> None:
        self._enter("create_share_group")
        with self._lock:
            self.groups.add(group.group_id)

    def delete_share_group(self, group: ShareGroupRequest) -> None:
        self._enter("delete_share_group")
        with self._lock:
            self.groups.discard(group.group_id)

    def create_share_group_snapshot(self, group: ShareGroupRequest,
                                    members: Sequence[SnapshotRequest]
                                    ) -> dict[str, SnapshotResult]:
        self._enter("create_share_group_snapshot")
        with self._lock:
            missing = [m.share.share_id for m in members
                       if m.share.instance_id not in self._shares]
            if missing:
                raise DriverError(f"Shares {missing} are not on this backend.")
            for member in members:
                self._snapshots[member.snapshot_id] = member.share.instance_id
        return {m.snapshot_id: SnapshotResult(provider_location=f"dummy/{m.name}",
                                              size=m.size) for m in members}

    def delete_share_group_snapshot(self, group: ShareGroupRequest,
                                    members: Sequence[SnapshotRequest]) -> None:
        self._enter("delete_share_group_snapshot")
        with self._lock:
            for member in members:
                self._snapshots.pop(member.snapshot_id, None)
