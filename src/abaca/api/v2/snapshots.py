"""/v2/snapshots: create, list, detail, show, update, delete, actions, manage."""

from __future__ import annotations

import falcon

from abaca import policy
from abaca.api import microversion
from abaca.api.common import (
    Deps,
    accepted,
    action_of,
    at_least,
    body_of,
    ctx,
    query_params,
    send,
    version,
)
from abaca.api.v2.snapshot_instances import snapshot_access_action
from abaca.api.views import snapshots as views
from abaca.common.errors import Invalid


class Snapshots:
    def __init__(self, deps: Deps, *, detailed: bool = False) -> None:
        self.deps = deps
        self.detailed = detailed

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        found = self.deps.snapshots.list(ctx(req), query_params(req),
                                         self.deps.conf.api.max_limit)
        view = views.detail if self.detailed else views.summary
        send(resp, {"snapshots": [view(req, s) for s in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self.detailed:
            raise falcon.HTTPMethodNotAllowed(["GET"])
        snap = self.deps.snapshots.create(ctx(req), body_of(req, self.deps, "snapshot"))
        send(resp, {"snapshot": views.detail(req, snap)}, 202)


class Snapshot:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        send(resp, {"snapshot": views.detail(req, self.deps.snapshots.get(ctx(req),
                                                                          snapshot_id))})

    def on_put(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        snap = self.deps.snapshots.update(ctx(req), snapshot_id,
                                          body_of(req, self.deps, "snapshot"))
        send(resp, {"snapshot": views.detail(req, snap)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        self.deps.snapshots.delete(ctx(req), snapshot_id)
        accepted(resp)


class SnapshotAction:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        name, value = action_of(req, self.deps)
        legacy = not at_least(req, "2.7")
        if name == ("os-reset_status" if legacy else "reset_status"):
            policy.authorize(ctx(req), "share_snapshot:reset_status")
            status = value.get("status") if isinstance(value, dict) else None
            self.deps.snapshots.reset_status(ctx(req), snapshot_id, status)
        elif name == ("os-force_delete" if legacy else "force_delete"):
            policy.authorize(ctx(req), "share_snapshot:force_delete")
            self.deps.snapshots.delete(ctx(req), snapshot_id, force=True)
        elif name == "unmanage" and at_least(req, "2.12"):
            policy.authorize(ctx(req), "share_snapshot:unmanage_snapshot")
            self.deps.snapshots.unmanage(ctx(req), snapshot_id)
        elif name in ("allow_access", "deny_access") and at_least(req, "2.32"):
            # Mountable snapshots: see api/v2/snapshot_instances.py.
            snapshot_access_action(req, resp, self.deps, snapshot_id, name, value)
            return
        else:
            raise Invalid(f"There is no such action: {name}")
        accepted(resp)


class ManageSnapshot:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        microversion.require(version(req), "2.12")
        policy.authorize(ctx(req), "share_snapshot:manage_snapshot")
        snap = self.deps.snapshots.manage(ctx(req), body_of(req, self.deps, "snapshot"))
        send(resp, {"snapshot": views.detail(req, snap)}, 202)
