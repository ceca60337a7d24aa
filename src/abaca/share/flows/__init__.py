"""Workflows of the share service, one module per operation."""

from abaca.share.flows import create_share, delete_share, ensure_share

__all__ = ["create_share", "delete_share", "ensure_share"]
