"""Small read-only resources: availability zones, limits, extensions."""

from __future__ import annotations

import falcon

from abaca import policy
from abaca.api import microversion
from abaca.api.common import Deps, at_least, ctx, isotime, send, version
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
        policy.authorize(ctx(req), "availability_zone:index")
        with self.deps.db.read() as session:
            zones = services_repo.list_availability_zones(session)
        send(resp, {"availability_zones": [
            {"id": z.id, "name": z.name, "created_at": isotime(z.created_at),
             "updated_at": isotime(z.updated_at)} for z in zones]})


# /limits names per quota resource: (limit, used), and the version that shows them.
LIMIT_NAMES: tuple[tuple[str, str, str | None, str], ...] = (
    ("shares", "maxTotalShares", "totalSharesUsed", "2.0"),
    ("gigabytes", "maxTotalShareGigabytes", "totalShareGigabytesUsed", "2.0"),
    ("snapshots", "maxTotalShareSnapshots", "totalShareSnapshotsUsed", "2.0"),
    ("snapshot_gigabytes", "maxTotalSnapshotGigabytes", "totalSnapshotGigabytesUsed", "2.0"),
    ("share_networks", "maxTotalShareNetworks", "totalShareNetworksUsed", "2.0"),
    ("share_replicas", "maxTotalShareReplicas", "totalShareReplicasUsed", "2.53"),
    ("replica_gigabytes", "maxTotalReplicaGigabytes", "totalReplicaGigabytesUsed", "2.53"),
    ("share_groups", "maxTotalShareGroups", "totalShareGroupsUsed", "2.58"),
    ("share_group_snapshots", "maxTotalShareGroupSnapshots", "totalShareGroupSnapshotsUsed",
     "2.58"),
)


class Limits:
    """The caller's project's absolute limits and usage (as Manila: project quotas, not
    user ones); rate limits are not enforced, so the list is empty."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        project = ctx(req).project_id or ""
        with self.deps.db.read() as session:
            limit = quotas.limits(session, self.deps.conf, project)
            used = quotas.usage(session, project)
        absolute: dict[str, int] = {}
        for resource, max_name, used_name, since in LIMIT_NAMES:
            if at_least(req, since):
                absolute[max_name] = limit[resource]
                if used_name:
                    absolute[used_name] = used[resource][0]
        send(resp, {"limits": {"rate": [], "absolute": absolute}})


class Extensions:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, {"extensions": []})
