"""Request bodies and query parameters of the OpenAPI document, by (route, method).

Schemas describe what a valid request looks like; the API still validates every body
itself (a request outside these schemas gets a 4xx, never a 5xx: the fuzz test checks).
"""

from __future__ import annotations

from typing import Any

FAULT: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
    },
}

_NAME = {"type": "string", "maxLength": 255}
_TEXT = {"type": "string", "maxLength": 255}
_METADATA = {"type": "object", "additionalProperties": {"type": "string", "maxLength": 1023}}
_BOOL = {"oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["true", "false"]}]}
_SIZE = {"type": "integer", "minimum": 1}


def _wrap(key: str, inner: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"type": "object", "required": [key] if required else [],
            "properties": {key: inner}}


def _obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


def _actions(actions: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """An action body: exactly one key naming the action."""
    options = [{**_wrap(name, inner if inner is not None else {}), "maxProperties": 1}
               for name, inner in actions.items()]
    return {"oneOf": options}


SHARE_CREATE = _obj({
    "share_proto": {"type": "string", "enum": ["NFS", "CIFS", "nfs", "cifs"]},
    "size": _SIZE,
    "name": _NAME,
    "display_name": _NAME,
    "description": _TEXT,
    "display_description": _TEXT,
    "share_type": {"type": "string"},
    "volume_type": {"type": "string"},
    "snapshot_id": {"type": "string"},
    "is_public": _BOOL,
    "metadata": _METADATA,
    "share_network_id": {"type": "string"},
    "availability_zone": {"type": "string"},
    "share_group_id": {"type": "string"},
    "scheduler_hints": {"type": "object", "additionalProperties": {"type": "string"}},
}, ("share_proto", "size"))

SHARE_UPDATE = _obj({"display_name": _NAME, "display_description": _TEXT,
                     "name": _NAME, "description": _TEXT, "is_public": _BOOL})

ACCESS = _obj({
    "access_type": {"type": "string", "enum": ["ip", "user", "cert", "cephx"]},
    "access_to": {"type": "string", "maxLength": 255},
    "access_level": {"type": "string", "enum": ["rw", "ro"]},
    "metadata": _METADATA,
}, ("access_type", "access_to"))

_STATUS = _obj({"status": {"type": "string"}}, ("status",))
_NEW_SIZE = _obj({"new_size": _SIZE, "force": _BOOL}, ("new_size",))

SHARE_ACTIONS = _actions({
    "extend": _NEW_SIZE, "os-extend": _NEW_SIZE,
    "shrink": _NEW_SIZE, "os-shrink": _NEW_SIZE,
    "allow_access": ACCESS, "os-allow_access": ACCESS,
    "deny_access": _obj({"access_id": {"type": "string"}}, ("access_id",)),
    "os-deny_access": _obj({"access_id": {"type": "string"}}, ("access_id",)),
    "access_list": None, "os-access_list": None,
    "reset_status": _STATUS, "os-reset_status": _STATUS,
    "force_delete": None, "os-force_delete": None,
    "revert": _obj({"snapshot_id": {"type": "string"}}, ("snapshot_id",)),
    "unmanage": None,
})

SNAPSHOT_CREATE = _obj({"share_id": {"type": "string"}, "force": _BOOL, "name": _NAME,
                        "description": _TEXT, "display_name": _NAME,
                        "display_description": _TEXT}, ("share_id",))
SNAPSHOT_UPDATE = _obj({"display_name": _NAME, "display_description": _TEXT,
                        "name": _NAME, "description": _TEXT})
SNAPSHOT_ACTIONS = _actions({
    "reset_status": _STATUS, "os-reset_status": _STATUS,
    "force_delete": None, "os-force_delete": None, "unmanage": None,
    "allow_access": ACCESS, "deny_access": _obj({"access_id": {"type": "string"}},
                                                ("access_id",)),
})

SHARE_MANAGE = _obj({
    "protocol": {"type": "string"}, "export_path": {"type": "string"},
    "service_host": {"type": "string"}, "share_type": {"type": "string"},
    "name": _NAME, "description": _TEXT, "is_public": _BOOL,
    "driver_options": {"type": "object"}, "share_server_id": {"type": "string"},
}, ("protocol", "export_path", "service_host"))

SNAPSHOT_MANAGE = _obj({
    "share_id": {"type": "string"}, "provider_location": {"type": "string"},
    "name": _NAME, "description": _TEXT, "driver_options": {"type": "object"},
}, ("share_id", "provider_location"))

SHARE_TYPE_CREATE = _obj({
    "name": _NAME, "description": _TEXT,
    "extra_specs": {"type": "object", "additionalProperties": {"type": "string"}},
    "share_type_access:is_public": _BOOL, "os-share-type-access:is_public": _BOOL,
}, ("name", "extra_specs"))

EXTRA_SPECS = _wrap("extra_specs", {"type": "object",
                                    "additionalProperties": {"type": "string"}})
METADATA = _wrap("metadata", _METADATA)
SERVICE_CHANGE = _obj({"host": {"type": "string"}, "binary": {"type": "string"},
                       "disabled_reason": _TEXT}, ("host", "binary"))

# share networks, subnets, security services, share servers
_NET_ID = {"type": "string", "maxLength": 36}
SHARE_NETWORK = _obj({"name": _NAME, "description": _TEXT, "neutron_net_id": _NET_ID,
                      "neutron_subnet_id": _NET_ID, "availability_zone": _NAME})
# a subnet's own network (Abaca extension, admins: share_network:set_network_info)
_NETWORK_INFO = {"cidr": {"type": "string", "maxLength": 64},
                 "gateway": {"type": "string", "maxLength": 64},
                 "mtu": {"type": "integer", "minimum": 68, "maximum": 65535},
                 "segmentation_id": {"type": "integer", "minimum": 1, "maximum": 4094},
                 "network_type": {"type": "string", "enum": ["flat", "vlan"]},
                 "ip_version": {"type": "integer", "enum": [4, 6]},
                 "allowed_ip_ranges": {"type": "array", "maxItems": 16,
                                       "items": {"type": "string", "maxLength": 128}}}
SHARE_NETWORK_CREATE = _obj({**SHARE_NETWORK["properties"], **_NETWORK_INFO})
SUBNET = _obj({"neutron_net_id": _NET_ID, "neutron_subnet_id": _NET_ID,
               "availability_zone": _NAME, **_NETWORK_INFO})
_SS_ID = _obj({"security_service_id": {"type": "string"}}, ("security_service_id",))
_SS_SWAP = _obj({"current_service_id": {"type": "string"},
                 "new_service_id": {"type": "string"}},
                ("current_service_id", "new_service_id"))
SHARE_NETWORK_ACTIONS = _actions({
    "add_security_service": _SS_ID, "remove_security_service": _SS_ID,
    "add_security_service_check": _SS_ID, "update_security_service": _SS_SWAP,
    "update_security_service_check": _SS_SWAP, "reset_status": _STATUS})
SECURITY_SERVICE = _obj({
    "type": {"type": "string", "enum": ["ldap", "kerberos", "active_directory"]},
    "name": _NAME, "description": _TEXT, "dns_ip": _TEXT, "ou": _TEXT, "server": _TEXT,
    "domain": _TEXT, "user": _TEXT, "password": _TEXT})
SHARE_SERVER_MANAGE = _obj({"host": _TEXT, "share_network_id": {"type": "string"},
                            "identifier": _TEXT, "driver_options": _METADATA,
                            "share_network_subnet_id": {"type": "string"}},
                           ("host", "share_network_id", "identifier"))
SHARE_SERVER_ACTIONS = _actions({"reset_status": _STATUS,
                                 "unmanage": _obj({"force": _BOOL})})

# share replicas
SHARE_REPLICA = _obj({"share_id": {"type": "string"}, "availability_zone": _NAME,
                      # 2.67: only_host (host@backend#pool), for host admins
                      "scheduler_hints": _obj({"only_host": {"type": "string"}}, ())},
                     ("share_id",))
SHARE_REPLICA_ACTIONS = _actions({
    "promote": None, "resync": None, "force_delete": None, "reset_status": _STATUS,
    "reset_replica_state": _obj({"replica_state": {
        "type": "string", "enum": ["active", "in_sync", "out_of_sync", "error"]}},
        ("replica_state",))})

# share groups, share group types, share group snapshots
_IDS = {"type": "array", "items": {"type": "string"}}
SHARE_GROUP_CREATE = _obj({"name": _NAME, "description": _TEXT, "share_types": _IDS,
                           "share_group_type_id": {"type": "string"},
                           "source_share_group_snapshot_id": {"type": "string"},
                           "share_network_id": {"type": "string"},
                           "availability_zone": {"type": "string"}})
NAME_AND_DESCRIPTION = _obj({"name": _NAME, "description": _TEXT})
FORCE_DELETE_OR_RESET = _actions({"reset_status": _STATUS, "force_delete": None})
SHARE_GROUP_TYPE_CREATE = _obj({"name": _NAME, "share_types": {**_IDS, "minItems": 1},
                                "group_specs": _METADATA, "is_public": _BOOL},
                               ("name", "share_types"))
SHARE_GROUP_TYPE_ACTIONS = _actions({
    "addProjectAccess": _obj({"project": _TEXT}, ("project",)),
    "removeProjectAccess": _obj({"project": _TEXT}, ("project",))})
SHARE_GROUP_SNAPSHOT_CREATE = _obj({"share_group_id": {"type": "string"}, "name": _NAME,
                                    "description": _TEXT}, ("share_group_id",))

_LIMIT = {"type": "integer", "minimum": -1, "maximum": 2**31 - 1}
_QUOTA_KEYS = ("shares", "gigabytes", "snapshots", "snapshot_gigabytes", "share_networks",
               "share_groups", "share_group_snapshots", "share_replicas",
               "replica_gigabytes", "per_share_gigabytes")
QUOTA_SET = _obj({**dict.fromkeys(_QUOTA_KEYS, _LIMIT), "force": _BOOL,
                  "tenant_id": {"type": "string"}})
QUOTA_CLASS_SET = _obj({**dict.fromkeys(_QUOTA_KEYS, _LIMIT),
                        "class_name": {"type": "string"}})

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("/v2/shares", "POST"): _wrap("share", SHARE_CREATE),
    ("/v2/shares/{share_id}", "PUT"): _wrap("share", SHARE_UPDATE),
    ("/v2/shares/{share_id}/action", "POST"): SHARE_ACTIONS,
    ("/v2/shares/{share_id}/metadata", "POST"): METADATA,
    ("/v2/shares/{share_id}/metadata", "PUT"): METADATA,
    ("/v2/shares/{share_id}/metadata/{key}", "PUT"): _wrap("meta", _METADATA),
    ("/v2/shares/manage", "POST"): _wrap("share", SHARE_MANAGE),
    ("/v2/os-share-manage", "POST"): _wrap("share", SHARE_MANAGE),
    ("/v2/snapshots", "POST"): _wrap("snapshot", SNAPSHOT_CREATE),
    ("/v2/snapshots/{snapshot_id}", "PUT"): _wrap("snapshot", SNAPSHOT_UPDATE),
    ("/v2/snapshots/{snapshot_id}/action", "POST"): SNAPSHOT_ACTIONS,
    ("/v2/snapshots/manage", "POST"): _wrap("snapshot", SNAPSHOT_MANAGE),
    ("/v2/types", "POST"): _wrap("share_type", SHARE_TYPE_CREATE),
    ("/v2/types/{type_id}/extra_specs", "POST"): EXTRA_SPECS,
    ("/v2/share-access-rules/{rule_id}/metadata", "PUT"): METADATA,
    ("/v2/services/{action}", "PUT"): SERVICE_CHANGE,
    ("/v2/os-services/{action}", "PUT"): SERVICE_CHANGE,
    ("/v2/share-networks", "POST"): _wrap("share_network", SHARE_NETWORK_CREATE),
    ("/v2/share-networks/{network_id}", "PUT"): _wrap("share_network", SHARE_NETWORK),
    ("/v2/share-networks/{network_id}/action", "POST"): SHARE_NETWORK_ACTIONS,
    ("/v2/share-networks/{network_id}/subnets", "POST"): _wrap("share-network-subnet",
                                                               SUBNET),
    ("/v2/security-services", "POST"): _wrap("security_service", SECURITY_SERVICE),
    ("/v2/security-services/{service_id}", "PUT"): _wrap("security_service",
                                                         SECURITY_SERVICE),
    ("/v2/share-servers/manage", "POST"): _wrap("share_server", SHARE_SERVER_MANAGE),
    ("/v2/share-servers/{server_id}/action", "POST"): SHARE_SERVER_ACTIONS,
    ("/v2/share-replicas", "POST"): _wrap("share_replica", SHARE_REPLICA),
    ("/v2/share-replicas/{replica_id}/action", "POST"): SHARE_REPLICA_ACTIONS,
    ("/v2/share-groups", "POST"): _wrap("share_group", SHARE_GROUP_CREATE),
    ("/v2/share-groups/{group_id}", "PUT"): _wrap("share_group", NAME_AND_DESCRIPTION),
    ("/v2/share-groups/{group_id}/action", "POST"): FORCE_DELETE_OR_RESET,
    ("/v2/share-group-types", "POST"): _wrap("share_group_type", SHARE_GROUP_TYPE_CREATE),
    ("/v2/share-group-types/{type_id}/action", "POST"): SHARE_GROUP_TYPE_ACTIONS,
    ("/v2/share-group-types/{type_id}/group-specs", "POST"): _wrap("group_specs",
                                                                   _METADATA),
    ("/v2/share-group-snapshots", "POST"): _wrap("share_group_snapshot",
                                                 SHARE_GROUP_SNAPSHOT_CREATE),
    ("/v2/share-group-snapshots/{snapshot_id}", "PUT"): _wrap("share_group_snapshot",
                                                              NAME_AND_DESCRIPTION),
    ("/v2/share-group-snapshots/{snapshot_id}/action", "POST"): FORCE_DELETE_OR_RESET,
    ("/v2/quota-sets/{tenant_id}", "PUT"): _wrap("quota_set", QUOTA_SET),
    ("/v2/os-quota-sets/{tenant_id}", "PUT"): _wrap("quota_set", QUOTA_SET),
    ("/v2/quota-class-sets/{class_name}", "PUT"): _wrap("quota_class_set", QUOTA_CLASS_SET),
    ("/v2/os-quota-class-sets/{class_name}", "PUT"): _wrap("quota_class_set",
                                                           QUOTA_CLASS_SET),
}

_PAGING = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "marker", "in": "query", "schema": {"type": "string"}},
    {"name": "sort_key", "in": "query", "schema": {"type": "string"}},
    {"name": "sort_dir", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
]
_SHARE_FILTERS = [
    {"name": name, "in": "query", "schema": {"type": "string"}}
    for name in ("name", "status", "share_type_id", "snapshot_id", "is_public",
                 "export_location_path", "name~", "description~", "with_count",
                 "all_tenants", "project_id")
]

_QUOTA_SCOPE = [{"name": name, "in": "query", "schema": {"type": "string"}}
                for name in ("user_id", "share_type")]

def _strings(*names: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "query", "schema": {"type": "string"}} for name in names]


_NETWORK_FILTERS = _PAGING[:2] + _strings(
    "name", "description", "name~", "description~", "status", "created_since",
    "created_before", "security_service_id", "neutron_net_id", "segmentation_id",
    "ip_version", "all_tenants", "project_id")
_SECURITY_SERVICE_FILTERS = _PAGING[:2] + _strings(
    "name", "type", "server", "domain", "user", "dns_ip", "share_network_id",
    "all_tenants")

QUERIES: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("/v2/shares", "GET"): _PAGING + _SHARE_FILTERS,
    ("/v2/shares/detail", "GET"): _PAGING + _SHARE_FILTERS,
    ("/v2/snapshots", "GET"): _PAGING,
    ("/v2/snapshots/detail", "GET"): _PAGING,
    ("/v2/share-access-rules", "GET"): [
        {"name": "share_id", "in": "query", "required": True, "schema": {"type": "string"}}],
    ("/v2/messages", "GET"): _PAGING,
    ("/v2/share-replicas", "GET"): [
        {"name": "share_id", "in": "query", "schema": {"type": "string"}}],
    ("/v2/share-replicas/detail", "GET"): [
        {"name": "share_id", "in": "query", "schema": {"type": "string"}}],
    **{(path, method): _QUOTA_SCOPE
       for path in ("/v2/quota-sets/{tenant_id}", "/v2/os-quota-sets/{tenant_id}")
       for method in ("GET", "PUT", "DELETE")},
    ("/v2/quota-sets/{tenant_id}/detail", "GET"): _QUOTA_SCOPE,
    ("/v2/share-networks", "GET"): _NETWORK_FILTERS,
    ("/v2/share-networks/detail", "GET"): _NETWORK_FILTERS,
    ("/v2/security-services", "GET"): _SECURITY_SERVICE_FILTERS,
    ("/v2/security-services/detail", "GET"): _SECURITY_SERVICE_FILTERS,
    ("/v2/share-servers", "GET"): _strings("host", "status", "share_network", "project_id",
                                           "share_network_subnet_id", "is_auto_deletable"),
}
