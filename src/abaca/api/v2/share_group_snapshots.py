"""/v2/share-group-snapshots: create, list, detail, show, update, delete, members,
reset_status and force_delete actions (2.31; experimental until 2.55)."""

from __future__ import annotations

import falcon

from abaca.api.common import Deps, accepted, action_of, body_of, ctx, query_params, send
from abaca.api.v2.share_groups import require_group_api
from abaca.api.views import share_groups as views
from abaca.common.errors import Invalid
from abaca.services.share_group_snapshots import ShareGroupSnapshotServices


def services(deps: Deps) -> ShareGroupSnapshotServices:
    return ShareGroupSnapshotServices(deps.conf, deps.db, deps.share_rpc)


class Snapshots:
    def __init__(self, deps: Deps, *, detailed: bool = False) -> None:
        self.deps = deps
        self.detailed = detailed
        self.snapshots = services(deps)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_group_api(req, resp)
        found = self.snapshots.list_snapshots(ctx(req), query_params(req),
                                              self.deps.conf.api.max_limit)
        view = views.snapshot_detail if self.detailed else views.snapshot_summary
        send(resp, {"share_group_snapshots": [view(req, s) for s in found]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_group_api(req, resp)
        if self.detailed:
            raise falcon.HTTPMethodNotAllowed(["GET"])
        snap = self.snapshots.create(ctx(req),
                                     body_of(req, self.deps, "share_group_snapshot"))
        send(resp, {"share_group_snapshot": views.snapshot_detail(req, snap)}, 202)


class Snapshot:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.snapshots = services(deps)

    def on_get(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        require_group_api(req, resp)
        snap = self.snapshots.get(ctx(req), snapshot_id)
        send(resp, {"share_group_snapshot": views.snapshot_detail(req, snap)})

    def on_put(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        require_group_api(req, resp)
        snap = self.snapshots.update(ctx(req), snapshot_id,
                                     body_of(req, self.deps, "share_group_snapshot"))
        send(resp, {"share_group_snapshot": views.snapshot_detail(req, snap)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        require_group_api(req, resp)
        self.snapshots.delete(ctx(req), snapshot_id)
        accepted(resp)


class Members:
    def __init__(self, deps: Deps) -> None:
        self.snapshots = services(deps)

    def on_get(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        require_group_api(req, resp)
        snap = self.snapshots.get(ctx(req), snapshot_id)
        send(resp, {"share_group_snapshot_members": views.members(snap)})


class SnapshotAction:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.snapshots = services(deps)

    def on_post(self, req: falcon.Request, resp: falcon.Response, snapshot_id: str) -> None:
        require_group_api(req, resp)
        name, value = action_of(req, self.deps)
        if name == "reset_status":
            status = value.get("status") if isinstance(value, dict) else None
            self.snapshots.reset_status(ctx(req), snapshot_id, status)
        elif name == "force_delete":
            self.snapshots.delete(ctx(req), snapshot_id, force=True)
        else:
            raise Invalid(f"There is no such action: {name}")
        accepted(resp)
