"""The WSGI application: middleware and the route table."""

from __future__ import annotations

from typing import Any

import falcon
import oslo_messaging

from abaca import policy
from abaca.api import errors
from abaca.api.common import Deps
from abaca.api.middleware.auth import context_middleware, with_auth_token
from abaca.api.middleware.request import Microversions, RequestIds
from abaca.api.middleware.routing import ProjectRouting
from abaca.api.openapi.document import OpenAPIDocument
from abaca.api.v2 import (
    access_rules,
    export_locations,
    manage,
    messages,
    misc,
    quotas,
    scheduler_stats,
    security_services,
    services,
    share_actions,
    share_group_snapshots,
    share_group_types,
    share_groups,
    share_instances,
    share_metadata,
    share_networks,
    share_replicas,
    share_servers,
    share_types,
    shares,
    snapshot_instances,
    snapshots,
)
from abaca.api.versions import Versions
from abaca.db.session import Database
from abaca.scheduler.rpcapi import SchedulerAPI
from abaca.services.access import AccessServices
from abaca.services.security_services import SecurityServiceServices
from abaca.services.share_actions import ShareActions
from abaca.services.share_network_subnets import SubnetServices
from abaca.services.share_networks import ShareNetworkServices
from abaca.services.share_servers import ShareServerServices
from abaca.services.shares import ShareServices
from abaca.services.snapshots import SnapshotServices
from abaca.share.rpcapi import ShareAPI


def build_deps(conf: Any, db: Database, transport: oslo_messaging.Transport) -> Deps:
    scheduler_rpc = SchedulerAPI(transport)
    share_rpc = ShareAPI(transport)
    return Deps(conf=conf, db=db, scheduler_rpc=scheduler_rpc, share_rpc=share_rpc,
                shares=ShareServices(conf, db, scheduler_rpc, share_rpc),
                access=AccessServices(db, share_rpc),
                snapshots=SnapshotServices(db, share_rpc, conf),
                actions=ShareActions(conf, db, share_rpc, scheduler_rpc),
                share_networks=ShareNetworkServices(conf, db, share_rpc),
                subnets=SubnetServices(db, share_rpc),
                security_services=SecurityServiceServices(db),
                share_servers=ShareServerServices(conf, db, share_rpc))


def wsgi_app(conf: Any, db: Database, transport: oslo_messaging.Transport) -> Any:
    """What the servers run: the app, behind keystonemiddleware's auth_token when
    auth_strategy is keystone."""
    return with_auth_token(create_app(conf, db, transport), conf)


def create_app(conf: Any, db: Database,
               transport: oslo_messaging.Transport) -> falcon.App[Any, Any]:
    policy.init(conf)  # defaults plus the operator's [oslo_policy] policy_file
    deps = build_deps(conf, db, transport)
    middleware: list[Any] = [
        RequestIds(),
        ProjectRouting(),
        context_middleware(conf),
        Microversions(),
    ]
    app: falcon.App[Any, Any] = falcon.App(middleware=middleware)
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_qs_csv = False
    errors.install(app)
    add_routes(app, deps)
    app.add_route("/openapi.json", OpenAPIDocument(app))
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
    # Share and snapshot instances (2.3, 2.19), snapshot export locations and access
    # (2.32), share type access.
    routes += [
        ("/share_instances", share_instances.ShareInstances(deps)),
        ("/share_instances/{instance_id}", share_instances.ShareInstance(deps)),
        ("/share_instances/{instance_id}/action", share_instances.ShareInstanceAction(deps)),
        ("/share_instances/{instance_id}/export_locations",
         share_instances.InstanceExportLocations(deps)),
        ("/share_instances/{instance_id}/export_locations/{el_id}",
         share_instances.InstanceExportLocation(deps)),
        ("/shares/{share_id}/instances", share_instances.InstancesOfShare(deps)),
        ("/snapshot-instances", snapshot_instances.SnapshotInstances(deps)),
        ("/snapshot-instances/detail",
         snapshot_instances.SnapshotInstances(deps, detailed=True)),
        ("/snapshot-instances/{instance_id}", snapshot_instances.SnapshotInstance(deps)),
        ("/snapshot-instances/{instance_id}/action",
         snapshot_instances.SnapshotInstanceAction(deps)),
        ("/snapshot-instances/{instance_id}/export-locations",
         snapshot_instances.SnapshotInstanceExportLocations(deps)),
        ("/snapshot-instances/{instance_id}/export-locations/{el_id}",
         snapshot_instances.SnapshotInstanceExportLocation(deps)),
        ("/snapshots/{snapshot_id}/export-locations",
         snapshot_instances.SnapshotExportLocations(deps)),
        ("/snapshots/{snapshot_id}/export-locations/{el_id}",
         snapshot_instances.SnapshotExportLocation(deps)),
        ("/snapshots/{snapshot_id}/access-list", snapshot_instances.SnapshotAccessList(deps)),
        ("/types/{type_id}/share_type_access", share_types.TypeAccess(deps, legacy=False)),
        ("/types/{type_id}/os-share-type-access", share_types.TypeAccess(deps, legacy=True)),
        ("/types/{type_id}/action", share_types.TypeAction(deps)),
    ]
    # Share replicas (2.11, experimental until 2.55) and their export locations (2.47).
    routes += [
        ("/share-replicas", share_replicas.Replicas(deps)),
        ("/share-replicas/detail", share_replicas.Replicas(deps, detailed=True)),
        ("/share-replicas/{replica_id}", share_replicas.Replica(deps)),
        ("/share-replicas/{replica_id}/action", share_replicas.ReplicaAction(deps)),
        ("/share-replicas/{replica_id}/export-locations",
         share_replicas.ReplicaExportLocations(deps)),
        ("/share-replicas/{replica_id}/export-locations/{el_id}",
         share_replicas.ReplicaExportLocation(deps)),
    ]
    # Share networks and their subnets (2.51), security services, share servers (admin).
    routes += [
        ("/share-networks", share_networks.ShareNetworks(deps)),
        ("/share-networks/detail", share_networks.ShareNetworks(deps, detailed=True)),
        ("/share-networks/{network_id}", share_networks.ShareNetwork(deps)),
        ("/share-networks/{network_id}/action", share_networks.ShareNetworkAction(deps)),
        ("/share-networks/{network_id}/subnets", share_networks.Subnets(deps)),
        ("/share-networks/{network_id}/subnets/{subnet_id}", share_networks.Subnet(deps)),
        ("/security-services", security_services.SecurityServices(deps)),
        ("/security-services/detail",
         security_services.SecurityServices(deps, detailed=True)),
        ("/security-services/{service_id}", security_services.SecurityService(deps)),
        ("/share-servers", share_servers.ShareServers(deps)),
        ("/share-servers/manage", share_servers.ManageShareServer(deps)),
        ("/share-servers/{server_id}", share_servers.ShareServer(deps)),
        ("/share-servers/{server_id}/details", share_servers.ShareServerDetails(deps)),
        ("/share-servers/{server_id}/action", share_servers.ShareServerAction(deps)),
    ]
    # Share groups, share group types and share group snapshots (2.31, experimental
    # until 2.55).
    routes += [
        ("/share-group-types", share_group_types.GroupTypes(deps)),
        ("/share-group-types/default", share_group_types.DefaultGroupType(deps)),
        ("/share-group-types/{type_id}", share_group_types.GroupType(deps)),
        ("/share-group-types/{type_id}/access", share_group_types.GroupTypeAccess(deps)),
        ("/share-group-types/{type_id}/action", share_group_types.GroupTypeAction(deps)),
        ("/share-group-types/{type_id}/group-specs", share_group_types.GroupSpecs(deps)),
        ("/share-group-types/{type_id}/group-specs/{key}",
         share_group_types.GroupSpec(deps)),
        ("/share-groups", share_groups.ShareGroups(deps)),
        ("/share-groups/detail", share_groups.ShareGroups(deps, detailed=True)),
        ("/share-groups/{group_id}", share_groups.ShareGroup(deps)),
        ("/share-groups/{group_id}/action", share_groups.ShareGroupAction(deps)),
        ("/share-group-snapshots", share_group_snapshots.Snapshots(deps)),
        ("/share-group-snapshots/detail",
         share_group_snapshots.Snapshots(deps, detailed=True)),
        ("/share-group-snapshots/{snapshot_id}", share_group_snapshots.Snapshot(deps)),
        ("/share-group-snapshots/{snapshot_id}/members",
         share_group_snapshots.Members(deps)),
        ("/share-group-snapshots/{snapshot_id}/action",
         share_group_snapshots.SnapshotAction(deps)),
    ]
    # Quotas: quota sets (per project, user, share type) and quota classes.
    routes += [
        ("/quota-sets/{tenant_id}", quotas.QuotaSet(deps)),
        ("/quota-sets/{tenant_id}/defaults", quotas.QuotaSetDefaults(deps)),
        ("/quota-sets/{tenant_id}/detail", quotas.QuotaSetDetail(deps)),
        ("/os-quota-sets/{tenant_id}", quotas.QuotaSet(deps, legacy=True)),
        ("/os-quota-sets/{tenant_id}/defaults", quotas.QuotaSetDefaults(deps, legacy=True)),
        ("/quota-class-sets/{class_name}", quotas.QuotaClassSet(deps)),
        ("/os-quota-class-sets/{class_name}", quotas.QuotaClassSet(deps, legacy=True)),
    ]
    for path, resource in routes:
        app.add_route("/v2" + path, resource)
