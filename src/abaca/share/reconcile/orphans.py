"""Backend objects no database row owns: found, recorded, removed after a grace period.

A share's data is named after its instance (``share_name_template``), a snapshot
``share-snapshot-<id>`` (a share snapshot or a group snapshot member) or its
``provider_location``. Only names of these forms are considered: anything else on the
backend (a replica's received snapshots, a revert's leftovers) belongs to the driver.
An object is removed only when it has been seen unowned for ``orphan_grace`` seconds by
this process, is itself at least that old, and a last look at the database, just
before, still finds no row that is not deleted (so no data of a share that exists)
and no share or snapshot that was unmanaged (its data stays on purpose). Data put in
the pool by hand to be managed later must not be named like Abaca's own; or set
``[reconciler] remove_orphans = False`` to only record orphans.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from abaca.common.states import ShareServerStatus, ShareStatus, SnapshotStatus
from abaca.db.models import ShareGroupSnapshotMember, ShareInstance, ShareServer, ShareSnapshot
from abaca.share.driver_api import BackendObject, InventorySupport, ShareServerSupport
from abaca.share.driver_api import ShareServer as DriverServer
from abaca.share.reconcile.records import record

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_SNAPSHOT = re.compile(f"share-snapshot-({_UUID})")


class OrphanTracker:
    """When this process first saw each unowned object (kind, name)."""

    def __init__(self) -> None:
        self.first_seen: dict[tuple[str, str], float] = {}


def share_pattern(template: str) -> re.Pattern[str]:
    head, _, tail = template.partition("%s")
    return re.compile(re.escape(head) + f"({_UUID})" + re.escape(tail))


def _owned(mgr: ShareManager, objects: list[BackendObject]) -> set[str]:
    """The names among ``objects`` a live row owns."""
    shares = share_pattern(mgr.conf.share_name_template)
    instance_ids: dict[str, str] = {}
    snapshot_ids: dict[str, str] = {}
    for obj in objects:
        if m := shares.fullmatch(obj.name):
            instance_ids[m.group(1)] = obj.name
        if m := _SNAPSHOT.fullmatch(obj.name):
            snapshot_ids[m.group(1)] = obj.name
    owned: set[str] = set()
    names = [o.name for o in objects]
    # an unmanaged share or snapshot left its data on the backend on purpose
    kept = {ShareInstance: or_(ShareInstance.deleted == "",
                               ShareInstance.status == ShareStatus.UNMANAGED),
            ShareSnapshot: or_(ShareSnapshot.deleted == "",
                               ShareSnapshot.status == SnapshotStatus.UNMANAGED),
            ShareGroupSnapshotMember: ShareGroupSnapshotMember.deleted == ""}
    with mgr.db.read() as session:
        for chunk in _chunks(list(instance_ids)):
            for ident in session.scalars(select(ShareInstance.id).where(
                    ShareInstance.id.in_(chunk), kept[ShareInstance])):
                owned.add(instance_ids[ident])
        for chunk in _chunks(list(snapshot_ids)):
            for model in (ShareSnapshot, ShareGroupSnapshotMember):
                for ident in session.scalars(select(model.id).where(
                        model.id.in_(chunk), kept[model])):
                    owned.add(snapshot_ids[ident])
        for chunk in _chunks(names):
            for model in (ShareSnapshot, ShareGroupSnapshotMember):
                owned.update(n for n in session.scalars(select(model.provider_location).where(
                    model.provider_location.in_(chunk), kept[model])) if n)
    # names of no form we know are never ours to judge
    return owned | {n for n in names
                    if not shares.fullmatch(n) and not _SNAPSHOT.fullmatch(n)}


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def check(mgr: ShareManager, tracker: OrphanTracker, grace: float, remove: bool) -> int:
    """Record new orphans, remove the ones past their grace; how many were removed."""
    driver = mgr.driver
    if not isinstance(driver, InventorySupport):
        return 0
    objects = driver.backend_objects()
    owned = _owned(mgr, objects)
    now = time.monotonic()
    seen = {(o.kind, o.name) for o in objects if o.name not in owned}
    for key in list(tracker.first_seen):
        if key not in seen:
            del tracker.first_seen[key]  # gone, or owned after all
    removed = 0
    for obj in objects:
        if obj.name in owned:
            continue
        key = (obj.kind, obj.name)
        if key not in tracker.first_seen:
            tracker.first_seen[key] = now
            LOG.warning("%s: %s %s has no row that owns it", mgr.host, obj.kind, obj.name)
            with mgr.db.write() as session:
                record(session, host=mgr.host, resource_type=obj.kind, resource_id=obj.name,
                       from_status=None, to_status=None, action="orphan_found")
        old_enough = now - tracker.first_seen[key] >= grace and (
            obj.age is None or obj.age >= grace)
        if not (remove and old_enough):
            continue
        if obj.name in _owned(mgr, [obj]):  # a last look, just before
            continue
        try:
            driver.remove_backend_object(obj)
        except Exception:
            LOG.exception("%s: removing orphan %s %s failed", mgr.host, obj.kind, obj.name)
            continue
        del tracker.first_seen[key]
        removed += 1
        with mgr.db.write() as session:
            record(session, host=mgr.host, resource_type=obj.kind, resource_id=obj.name,
                   from_status=None, to_status=None, action="orphan_removed")
    return removed



def _owned_servers(mgr: ShareManager, ids: set[str]) -> set[str]:
    """The ids among ``ids`` a share server row owns (not deleted, or unmanaged: an
    unmanaged server is left running on purpose)."""
    owned: set[str] = set()
    with mgr.db.read() as session:
        for chunk in _chunks(sorted(ids)):
            owned.update(session.scalars(select(ShareServer.id).where(
                ShareServer.id.in_(chunk), or_(ShareServer.deleted == "",
                                               ShareServer.status == ShareServerStatus.UNMANAGED))))
    return owned


def _remove_server(mgr: ShareManager, server: DriverServer) -> None:
    """The driver stops serving (its daemons, exports), then the helper removes the
    server. Daemons a dead process left behind keep the exports busy: then the helper
    goes first (it stops everything in the server) and the driver cleans up after."""
    driver = mgr.driver if isinstance(mgr.driver, ShareServerSupport) else None
    try:
        if driver is not None:
            driver.teardown_server(server)
    except Exception:
        LOG.info("%s: share server %s: the driver could not stop it first; removing the "
                 "server, then the driver's leftovers", mgr.host, server.id)
        mgr.backend.compute.delete_share_server(server)
        driver.teardown_server(server)  # type: ignore[union-attr]
        return
    mgr.backend.compute.delete_share_server(server)


def check_servers(mgr: ShareManager, tracker: OrphanTracker, grace: float,
                  remove: bool) -> int:
    """The same for share servers the compute helper finds (a namespace whose row is
    gone after a crash between the row's delete and the teardown): record, and after the
    grace period stop what the driver runs for it and remove it."""
    found = mgr.backend.compute.server_ids()
    if not found:
        return 0
    unowned = found - _owned_servers(mgr, found)
    now = time.monotonic()
    for key in list(tracker.first_seen):
        if key[1] not in unowned:
            del tracker.first_seen[key]
    removed = 0
    for server_id in sorted(unowned):
        key = ("share_server", server_id)
        if key not in tracker.first_seen:
            tracker.first_seen[key] = now
            LOG.warning("%s: share server %s has no row that owns it", mgr.host, server_id)
            with mgr.db.write() as session:
                record(session, host=mgr.host, resource_type="share_server",
                       resource_id=server_id, from_status=None, to_status=None,
                       action="orphan_found")
        if not remove or now - tracker.first_seen[key] < grace:
            continue
        with mgr.server_lock:
            if _owned_servers(mgr, {server_id}):  # a last look, just before
                continue
            server = DriverServer(id=server_id, addresses=())
            try:
                _remove_server(mgr, server)
            except Exception:
                LOG.exception("%s: removing orphan share server %s failed", mgr.host,
                              server_id)
                continue
        del tracker.first_seen[key]
        removed += 1
        with mgr.db.write() as session:
            record(session, host=mgr.host, resource_type="share_server",
                   resource_id=server_id, from_status=None, to_status=None,
                   action="orphan_removed")
    return removed
