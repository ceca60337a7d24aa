"""Workflows of the share service, one module per operation."""

from abaca.share.flows import (
    access,
    create_share,
    delete_share,
    ensure_share,
    manage,
    resize,
    revert,
    snapshots,
)

__all__ = ["access", "create_share", "delete_share", "ensure_share", "manage", "resize",
           "revert", "snapshots"]
