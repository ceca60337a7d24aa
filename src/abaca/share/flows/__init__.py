"""Workflows of the share service, one module per operation."""

from abaca.share.flows import (
    access,
    create_share,
    delete_share,
    ensure_share,
    manage,
    replicas,
    resize,
    revert,
    snapshot_access,
    snapshots,
)

__all__ = ["access", "create_share", "delete_share", "ensure_share", "manage", "replicas", "resize",
           "revert", "snapshot_access", "snapshots"]
