"""Shares, share instances, export locations and share metadata."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from abaca.common.errors import NotFound
from abaca.common.states import ShareStatus
from abaca.db.models import ExportLocation, Share, ShareInstance, ShareMetadata, utcnow


def get_share(session: Session, share_id: str) -> Share:
    share = session.scalar(select(Share).where(Share.id == share_id, Share.deleted == ""))
    if share is None or not share.instances:
        raise NotFound(f"Share {share_id} could not be found.")
    return share


def get_instance(session: Session, instance_id: str) -> ShareInstance:
    inst = session.scalar(select(ShareInstance).where(
        ShareInstance.id == instance_id, ShareInstance.deleted == ""))
    if inst is None:
        raise NotFound(f"Share instance {instance_id} could not be found.")
    return inst


def set_status(inst: ShareInstance, status: str) -> None:
    """Move an instance to ``status``; an illegal transition raises."""
    ShareStatus.check(inst.status, status)
    inst.status = status
    inst.share.updated_at = utcnow()  # the share's status is its instance's
    if status == ShareStatus.AVAILABLE:
        inst.progress = "100%"  # (2.54) whichever flow made it available


def replace_export_locations(session: Session, inst: ShareInstance,
                             locations: Iterable[tuple[str, bool, bool]]) -> None:
    """Make (path, is_admin_only, preferred) the instance's export locations.

    Locations that stay keep their ids, so clients holding an id are not surprised.
    """
    wanted = list(dict.fromkeys(locations))
    for old in session.scalars(select(ExportLocation).where(
            ExportLocation.share_instance_id == inst.id, ExportLocation.deleted == "")):
        key = (old.path, old.is_admin_only, old.preferred)
        if key in wanted:
            wanted.remove(key)
        else:
            old.soft_delete()
    for path, admin_only, preferred in wanted:
        session.add(ExportLocation(share_instance_id=inst.id, path=path,
                                   is_admin_only=admin_only, preferred=preferred))


def delete_share_rows(session: Session, inst: ShareInstance) -> None:
    """Soft-delete an instance and, with its last instance, the share and its children."""
    forget_share_rows(session, inst, ShareStatus.DELETED)


def forget_share_rows(session: Session, inst: ShareInstance, final: str) -> None:
    """Move the instance to ``final`` (deleted/unmanaged) and soft-delete its rows:
    the instance, its export locations and, with its last instance, the share, its
    metadata, access rules and snapshots."""
    from abaca.db.models import ShareAccessRule, ShareSnapshot, Timestamps

    set_status(inst, final)
    inst.terminated_at = utcnow()
    inst.soft_delete()
    replace_export_locations(session, inst, [])
    remaining = session.scalar(select(ShareInstance.id).where(
        ShareInstance.share_id == inst.share_id, ShareInstance.deleted == "",
        ShareInstance.id != inst.id))
    if remaining is None:
        share = session.get(Share, inst.share_id)
        if share is not None:
            share.soft_delete()
            children: list[Timestamps] = []
            for model in (ShareMetadata, ShareAccessRule, ShareSnapshot):
                children += session.scalars(select(model).where(
                    model.share_id == share.id, model.deleted == ""))  # type: ignore[attr-defined]
            for row in children:
                row.soft_delete()
