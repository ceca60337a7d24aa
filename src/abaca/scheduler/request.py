"""Reading a RequestSpec the way filters and weighers need it.

Filters and weighers are pure: they look at one pool and the request, never at the
database. Whatever they need beyond the request itself travels in
``RequestSpec.scheduler_hints``, under these keys:

- from the user: ``only_host`` (honoured for admins only: the exact
  ``host@backend#pool``), ``same_host`` and ``different_host`` (comma-separated
  share ids);
- resolved by the API: ``same_host_hosts`` and ``different_host_hosts`` (where those
  shares' instances are, comma-separated ``host@backend#pool``; for ``same_host_hosts``
  groups separated by ``;``, one per share, are intersected), ``active_replica_host``
  and ``all_replica_hosts`` (placing a new replica), ``share_server_pools`` (DHSS:
  pools, or whole backends as ``host@backend``, that already have a share server on
  the request's share network);
- derived by the scheduler itself from its view of the pools, overwriting anything a
  caller sent: ``snapshot_replication_domain``, ``snapshot_availability_zone`` and
  ``active_replica_replication_domain`` (see ``FilterScheduler``).

The API must accept only the user keys from a client; the others are resolved.
"""

from __future__ import annotations

from abaca.common.types import RequestSpec

CREATE = "create"
CREATE_FROM_SNAPSHOT = "create_from_snapshot"
EXTEND = "extend"
OPERATIONS = frozenset({CREATE, CREATE_FROM_SNAPSHOT, EXTEND})

ONLY_HOST = "only_host"
SAME_HOST = "same_host"
DIFFERENT_HOST = "different_host"
SAME_HOST_HOSTS = "same_host_hosts"
DIFFERENT_HOST_HOSTS = "different_host_hosts"
ACTIVE_REPLICA_HOST = "active_replica_host"
ALL_REPLICA_HOSTS = "all_replica_hosts"
SHARE_SERVER_POOLS = "share_server_pools"
# Share groups, resolved by the API: the pool (``host@backend#pool``) or backend
# (``host@backend``) a share of a group must go to, and a new group's
# ``consistent_snapshot_support`` group spec.
SHARE_GROUP_HOST = "share_group_host"
CONSISTENT_SNAPSHOT_SUPPORT = "consistent_snapshot_support"
SNAPSHOT_REPLICATION_DOMAIN = "snapshot_replication_domain"
SNAPSHOT_AVAILABILITY_ZONE = "snapshot_availability_zone"
ACTIVE_REPLICA_REPLICATION_DOMAIN = "active_replica_replication_domain"
# Derived by the scheduler; a caller's values for these are discarded.
SCHEDULER_DERIVED = frozenset({SNAPSHOT_REPLICATION_DOMAIN, SNAPSHOT_AVAILABILITY_ZONE,
                               ACTIVE_REPLICA_REPLICATION_DOMAIN})


def operation_of(spec: RequestSpec) -> str:
    """What is being scheduled; a "create" naming a snapshot is a create from snapshot.

    Manila tells the two apart by the snapshot id alone, so an older caller that does
    not set ``operation`` still gets the snapshot reserve.
    """
    if spec.operation == CREATE and spec.snapshot_id:
        return CREATE_FROM_SNAPSHOT
    return spec.operation


def extra_specs(spec: RequestSpec) -> dict[str, str]:
    return spec.share_type.extra_specs if spec.share_type else {}


def hints_of(spec: RequestSpec) -> dict[str, str]:
    # A message may carry ``"scheduler_hints": null``.
    return spec.scheduler_hints or {}


def hint(spec: RequestSpec, key: str) -> str | None:
    """A hint as a stripped string, None when absent."""
    value = hints_of(spec).get(key)
    return None if value is None else str(value).strip()


def host_list(value: str | None) -> set[str]:
    """The non-empty, stripped items of a comma-separated list."""
    return {item.strip() for item in (value or "").split(",") if item.strip()}


def host_groups(value: str | None) -> list[set[str]]:
    """``a,b;c`` as ``[{a, b}, {c}]``: one group of hosts per share."""
    return [host_list(group) for group in (value or "").split(";") if group.strip()]


def backend_of(host: str) -> str:
    """``host@backend`` of ``host@backend#pool`` (or of ``host@backend`` itself)."""
    return host.partition("#")[0]
