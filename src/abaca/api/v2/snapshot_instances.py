"""Snapshot instances (admin, 2.19) and what 2.32 (mountable snapshots) adds to
snapshots: export locations of snapshots and of their instances, and snapshot access.

A snapshot of a share whose type has ``mount_snapshot_support`` is exported read-only
when it is taken; other snapshots have no export location and answer 400 to access
calls, as Manila's do.
"""

from __future__ import annotations

from typing import Any

import falcon

from abaca import policy
from abaca.api import microversion
from abaca.api.common import (
    Deps,
    accepted,
    action_of,
    at_least,
    ctx,
    isotime,
    links,
    query_params,
    send,
    version,
)
from abaca.api.views import share_instances as views
from abaca.common.errors import Invalid, NotFound
from abaca.db.models import ShareSnapshot, ShareSnapshotAccessRule, ShareSnapshotExportLocation
from abaca.services.share_instances import InstanceServices
from abaca.services.snapshot_access import SnapshotAccessServices


class _Base:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.svc = InstanceServices(deps.db, deps.share_rpc)


class SnapshotInstances(_Base):
    def __init__(self, deps: Deps, *, detailed: bool = False) -> None:
        super().__init__(deps)
        self.detailed = detailed

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        microversion.require(version(req), "2.19")
        found = self.svc.snapshot_instances(ctx(req), query_params(req),
                                            detailed=self.detailed)
        send(resp, {"snapshot_instances": [
            views.snapshot_instance(req, f, detail=self.detailed) for f in found]})


class SnapshotInstance(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, instance_id: str) -> None:
        microversion.require(version(req), "2.19")
        found = self.svc.snapshot_instance(ctx(req), instance_id)
        send(resp, {"snapshot_instance": views.snapshot_instance(req, found, detail=True)})


class SnapshotInstanceAction(_Base):
    def on_post(self, req: falcon.Request, resp: falcon.Response, instance_id: str) -> None:
        microversion.require(version(req), "2.19")
        name, value = action_of(req, self.deps)
        if name != "reset_status":
            raise Invalid(f"There is no such action: {name}")
        status = value.get("status") if isinstance(value, dict) else None
        self.svc.reset_snapshot_instance(ctx(req), instance_id, status)
        accepted(resp)


class SnapshotInstanceExportLocations(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, instance_id: str) -> None:
        microversion.require(version(req), "2.32")
        found = self.svc.snapshot_instance(ctx(req), instance_id,
                                           "share_snapshot_instance_export_location:index")
        send(resp, {"share_snapshot_export_locations": _locations(req, found.snapshot)})


class SnapshotInstanceExportLocation(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, instance_id: str,
               el_id: str) -> None:
        microversion.require(version(req), "2.32")
        found = self.svc.snapshot_instance(ctx(req), instance_id,
                                           "share_snapshot_instance_export_location:show")
        send(resp, {"share_snapshot_export_location": _location(req, found.snapshot, el_id)})


class SnapshotExportLocations:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _snapshot(self, req: falcon.Request, snapshot_id: str, rule: str) -> ShareSnapshot:
        microversion.require(version(req), "2.32")
        snap = self.deps.snapshots.get(ctx(req), snapshot_id)  # 404 if not visible
        policy.authorize(ctx(req), rule, {"project_id": snap.project_id,
                                          "user_id": snap.user_id})
        return snap

    def on_get(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        snap = self._snapshot(req, snapshot_id, "share_snapshot_export_location:index")
        send(resp, {"share_snapshot_export_locations": _locations(req, snap)})


class SnapshotExportLocation(SnapshotExportLocations):
    def on_get(  # type: ignore[override]
            self, req: falcon.Request, resp: falcon.Response, snapshot_id: str,
            el_id: str) -> None:
        snap = self._snapshot(req, snapshot_id, "share_snapshot_export_location:show")
        send(resp, {"share_snapshot_export_location": _location(req, snap, el_id)})


def _location_view(req: falcon.Request, el: ShareSnapshotExportLocation, *,
                   detail: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"id": el.id, "path": el.path,
                            "links": links(req, "snapshots", el.snapshot_id)}
    if ctx(req).is_admin:
        body["share_snapshot_instance_id"] = el.snapshot_id
        body["is_admin_only"] = el.is_admin_only
    if detail:
        body["created_at"] = isotime(el.created_at)
        body["updated_at"] = isotime(el.updated_at)
    return body


def _locations(req: falcon.Request, snap: ShareSnapshot) -> list[dict[str, Any]]:
    return [_location_view(req, el, detail=False) for el in snap.export_locations
            if ctx(req).is_admin or not el.is_admin_only]


def _location(req: falcon.Request, snap: ShareSnapshot, el_id: str) -> dict[str, Any]:
    for el in snap.export_locations:
        if el.id == el_id and (ctx(req).is_admin or not el.is_admin_only):
            return _location_view(req, el, detail=True)
    raise NotFound(f"Export location {el_id} could not be found.")


def access_view(rule: ShareSnapshotAccessRule) -> dict[str, Any]:
    return {"id": rule.id, "access_type": rule.access_type, "access_to": rule.access_to,
            "state": rule.state}


class SnapshotAccessList:
    def __init__(self, deps: Deps) -> None:
        self.svc = SnapshotAccessServices(deps.db, deps.share_rpc)

    def on_get(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        microversion.require(version(req), "2.32")
        rules = self.svc.list_rules(ctx(req), snapshot_id)
        send(resp, {"snapshot_access_list": [access_view(r) for r in rules]})


def snapshot_access_action(req: falcon.Request, resp: falcon.Response, deps: Deps,
                           snapshot_id: str, name: str, value: Any) -> None:
    """``allow_access`` (202 with the rule) / ``deny_access`` (202) on a snapshot."""
    svc = SnapshotAccessServices(deps.db, deps.share_rpc)
    if name == "allow_access":
        rule = svc.allow(ctx(req), snapshot_id, value, allow_ipv6=at_least(req, "2.38"))
        send(resp, {"snapshot_access": access_view(rule)}, 202)
    else:
        svc.deny(ctx(req), snapshot_id, value)
        accepted(resp)
