"""Small read-only resources: availability zones, limits, extensions."""

from __future__ import annotations

import falcon

from abaca.api import microversion
from abaca.api.common import Deps, ctx, isotime, send, version
from abaca.db.repositories import services as services_repo
from abaca.services import quotas


class AvailabilityZones:
    def __init__(self, deps: Deps, *, legacy: bool) -> None:
        self.deps = deps
        self.legacy = legacy

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self.legacy:
            microversion.require(version(req), "2.0", "2.6")
        else:
            microversion.require(version(req), "2.7")
        with self.deps.db.read() as session:
            zones = services_repo.list_availability_zones(session)
        send(resp, {"availability_zones": [
            {"id": z.id, "name": z.name, "created_at": isotime(z.created_at),
             "updated_at": isotime(z.updated_at)} for z in zones]})


class Limits:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        project = ctx(req).project_id or ""
        with self.deps.db.read() as session:
            limit = quotas.limits(session, self.deps.conf, project)
            used = quotas.usage(session, project)
        send(resp, {"limits": {"rate": [], "absolute": {
            "maxTotalShares": limit["shares"],
            "maxTotalShareGigabytes": limit["gigabytes"],
            "maxTotalShareSnapshots": limit["snapshots"],
            "maxTotalSnapshotGigabytes": limit["snapshot_gigabytes"],
            "maxTotalShareNetworks": limit["share_networks"],
            "totalSharesUsed": used["shares"],
            "totalShareGigabytesUsed": used["gigabytes"],
            "totalShareSnapshotsUsed": used["snapshots"],
            "totalSnapshotGigabytesUsed": used["snapshot_gigabytes"],
            "totalShareNetworksUsed": used["share_networks"],
        }}})


class Extensions:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, {"extensions": []})
