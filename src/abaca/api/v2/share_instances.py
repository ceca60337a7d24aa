"""Share instances (admin, 2.3): /share_instances, /shares/{id}/instances, their
actions (reset_status, force_delete; os- names before 2.7) and, from 2.9, their export
locations."""

from __future__ import annotations

import falcon

from abaca.api import microversion
from abaca.api.common import Deps, accepted, action_of, at_least, ctx, query_params, send, version
from abaca.api.v2.export_locations import view as export_location_view
from abaca.api.views import share_instances as views
from abaca.common.errors import Invalid, NotFound
from abaca.services.share_instances import InstanceServices
from abaca.services.share_replicas import ReplicaServices


class _Base:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.svc = InstanceServices(deps.db, deps.share_rpc)


class ShareInstances(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        microversion.require(version(req), "2.3")
        found = self.svc.list_instances(ctx(req), query_params(req),
                              by_export_location=at_least(req, "2.35"))
        send(resp, {"share_instances": [views.instance(req, i) for i in found]})


class InstancesOfShare(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, share_id: str) -> None:
        microversion.require(version(req), "2.3")
        found = self.svc.of_share(ctx(req), share_id)
        send(resp, {"share_instances": [views.instance(req, i) for i in found]})


class ShareInstance(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, instance_id: str) -> None:
        microversion.require(version(req), "2.3")
        send(resp, {"share_instance": views.instance(req, self.svc.get(ctx(req),
                                                                       instance_id))})


class ShareInstanceAction(_Base):
    def on_post(self, req: falcon.Request, resp: falcon.Response, instance_id: str) -> None:
        microversion.require(version(req), "2.3")
        name, value = action_of(req, self.deps)
        prefix = "" if at_least(req, "2.7") else "os-"
        if name == f"{prefix}reset_status":
            status = value.get("status") if isinstance(value, dict) else None
            self.svc.reset_status(ctx(req), instance_id, status)
        elif name == f"{prefix}force_delete":
            share_id, only = self.svc.force_delete_target(ctx(req), instance_id)
            if only:
                self.deps.actions.force_delete(ctx(req), share_id)
            else:
                ReplicaServices(self.deps.conf, self.deps.db, self.deps.scheduler_rpc,
                                self.deps.share_rpc).delete(ctx(req), instance_id, force=True)
        else:
            raise Invalid(f"There is no such action: {name}")
        accepted(resp)


class InstanceExportLocations(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, instance_id: str) -> None:
        microversion.require(version(req), "2.9")
        found = self.svc.export_locations(ctx(req), instance_id,
                                          "share_instance_export_location:index")
        send(resp, {"export_locations": [export_location_view(req, el, detail=True)
                                         for el in found]})


class InstanceExportLocation(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, instance_id: str,
               el_id: str) -> None:
        microversion.require(version(req), "2.9")
        for el in self.svc.export_locations(ctx(req), instance_id,
                                            "share_instance_export_location:show"):
            if el.id == el_id:
                send(resp, {"export_location": export_location_view(req, el, detail=True)})
                return
        raise NotFound(f"Export location {el_id} could not be found.")
