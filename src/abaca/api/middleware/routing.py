"""Every route answers with and without a project id: /v2/{project_id}/shares == /v2/shares."""

from __future__ import annotations

import re

import falcon

# First path segments after /v2/ that name a resource rather than a project.
RESOURCES = frozenset({
    "shares", "types", "availability-zones", "os-availability-zone", "services",
    "os-services", "scheduler-stats", "limits", "messages", "extensions", "share_instances",
    "snapshots", "share-networks", "security-services", "share-servers", "quota-sets",
    "os-quota-sets", "quota-class-sets", "os-quota-class-sets", "share-access-rules",
    "snapshot-instances", "share-groups", "share-group-types", "share-group-snapshots",
    "share-replicas", "share-transfers", "resource-locks", "os-share-manage",
    "os-share-unmanage", "share-backups", "qos-types", "openapi.json",
})
_PROJECT = re.compile(r"^[0-9A-Za-z_\-]{1,255}$")


class ProjectRouting:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        parts = req.path.split("/")
        # ['', 'v2', '<segment>', ...]
        req.context.url_project_id = None
        if len(parts) >= 4 and parts[1] == "v2" and parts[2] not in RESOURCES \
                and _PROJECT.fullmatch(parts[2]):
            req.context.url_project_id = parts[2]
            req.path = "/".join(["", "v2", *parts[3:]])
