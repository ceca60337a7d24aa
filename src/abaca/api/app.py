"""The WSGI application: middleware and the route table."""

from __future__ import annotations

from typing import Any

import falcon
import oslo_messaging

from abaca.api import errors
from abaca.api.common import Deps
from abaca.api.middleware.auth import NoAuth
from abaca.api.middleware.request import Microversions, RequestIds
from abaca.api.middleware.routing import ProjectRouting
from abaca.api.v2 import (
    access_rules,
    export_locations,
    manage,
    messages,
    misc,
    scheduler_stats,
    services,
    share_actions,
    share_metadata,
    share_types,
    shares,
    snapshots,
)
from abaca.api.versions import Versions
from abaca.db.session import Database
from abaca.scheduler.rpcapi import SchedulerAPI
from abaca.services.access import AccessServices
from abaca.services.share_actions import ShareActions
from abaca.services.shares import ShareServices
from abaca.services.snapshots import SnapshotServices
from abaca.share.rpcapi import ShareAPI


def build_deps(conf: Any, db: Database, transport: oslo_messaging.Transport) -> Deps:
    scheduler_rpc = SchedulerAPI(transport)
    share_rpc = ShareAPI(transport)
    return Deps(conf=conf, db=db, scheduler_rpc=scheduler_rpc, share_rpc=share_rpc,
                shares=ShareServices(conf, db, scheduler_rpc, share_rpc),
                access=AccessServices(db, share_rpc),
                snapshots=SnapshotServices(db, share_rpc),
                actions=ShareActions(conf, db, share_rpc, scheduler_rpc))


def create_app(conf: Any, db: Database,
               transport: oslo_messaging.Transport) -> falcon.App[Any, Any]:
    deps = build_deps(conf, db, transport)
    middleware: list[Any] = [
        RequestIds(),
        ProjectRouting(),
        NoAuth(v2_60_urls=conf.auth_strategy == "noauthv2"),
        Microversions(),
    ]
    app: falcon.App[Any, Any] = falcon.App(middleware=middleware)
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_qs_csv = False
    errors.install(app)
    add_routes(app, deps)
    return app


def add_routes(app: falcon.App[Any, Any], deps: Deps) -> None:
    versions = Versions()
    app.add_route("/", versions)
    app.add_route("/v2", versions)
    routes: list[tuple[str, object]] = [
        ("/shares", shares.Shares(deps)),
        ("/shares/detail", shares.Shares(deps, detailed=True)),
        ("/shares/{share_id}", shares.Share(deps)),
        ("/shares/{share_id}/action", share_actions.ShareAction(deps)),
        ("/shares/manage", manage.ManageShare(deps, legacy=False)),
        ("/os-share-manage", manage.ManageShare(deps, legacy=True)),
        ("/os-share-unmanage/{share_id}/unmanage", manage.LegacyUnmanage(deps)),
        ("/share-access-rules", access_rules.AccessRules(deps)),
        ("/share-access-rules/{rule_id}", access_rules.AccessRule(deps)),
        ("/share-access-rules/{rule_id}/metadata", access_rules.AccessMetadata(deps)),
        ("/share-access-rules/{rule_id}/metadata/{key}",
         access_rules.AccessMetadataItem(deps)),
        ("/snapshots", snapshots.Snapshots(deps)),
        ("/snapshots/detail", snapshots.Snapshots(deps, detailed=True)),
        ("/snapshots/manage", snapshots.ManageSnapshot(deps)),
        ("/snapshots/{snapshot_id}", snapshots.Snapshot(deps)),
        ("/snapshots/{snapshot_id}/action", snapshots.SnapshotAction(deps)),
        ("/shares/{share_id}/metadata", share_metadata.Metadata(deps)),
        ("/shares/{share_id}/metadata/{key}", share_metadata.MetadataItem(deps)),
        ("/shares/{share_id}/export_locations", export_locations.ExportLocations(deps)),
        ("/shares/{share_id}/export_locations/{el_id}",
         export_locations.ExportLocation_(deps)),
        ("/types", share_types.Types(deps)),
        ("/types/default", share_types.DefaultType(deps)),
        ("/types/{type_id}", share_types.Type(deps)),
        ("/types/{type_id}/extra_specs", share_types.ExtraSpecs(deps)),
        ("/types/{type_id}/extra_specs/{key}", share_types.ExtraSpec(deps)),
        ("/availability-zones", misc.AvailabilityZones(deps, legacy=False)),
        ("/os-availability-zone", misc.AvailabilityZones(deps, legacy=True)),
        ("/services", services.Services(deps, legacy=False)),
        ("/os-services", services.Services(deps, legacy=True)),
        ("/services/{action}", services.ServiceAction(deps, legacy=False)),
        ("/os-services/{action}", services.ServiceAction(deps, legacy=True)),
        ("/scheduler-stats/pools", scheduler_stats.Pools(deps, detailed=False)),
        ("/scheduler-stats/pools/detail", scheduler_stats.Pools(deps, detailed=True)),
        ("/limits", misc.Limits(deps)),
        ("/extensions", misc.Extensions()),
        ("/messages", messages.Messages(deps)),
        ("/messages/{message_id}", messages.MessageItem(deps)),
    ]
    for path, resource in routes:
        app.add_route("/v2" + path, resource)
