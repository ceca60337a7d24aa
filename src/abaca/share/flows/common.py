"""Pieces the share flows share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from abaca.db.models import ShareInstance
from abaca.share.driver_api import ShareRequest, ShareResult

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def share_request(conf: Any, inst: ShareInstance) -> ShareRequest:
    """The driver's view of an instance (its row and its share must be loaded)."""
    share = inst.share
    return ShareRequest(
        instance_id=inst.id, share_id=share.id,
        name=conf.share_name_template % inst.id, size=share.size,
        share_proto=share.share_proto, pool=(inst.host or "").partition("#")[2],
        project_id=share.project_id, metadata=share.metadata_dict())


def save_exports(session: Session, inst: ShareInstance, result: ShareResult) -> None:
    from abaca.db.repositories import shares as shares_repo

    shares_repo.replace_export_locations(
        session, inst, [(e.path, e.is_admin_only, e.preferred) for e in result.export_locations])
