"""Database tables as typed SQLAlchemy 2 models, one module per concern.

Rows are soft-deleted: ``deleted`` is empty while a row lives and holds the row's id
afterwards, so unique constraints that include it ignore deleted rows.
"""

from __future__ import annotations

from abaca.db.models.base import Base, Timestamps, new_uuid, utcnow
from abaca.db.models.core import (
    AvailabilityZone,
    Message,
    Service,
)
from abaca.db.models.quotas import (
    Quota,
    QuotaClass,
    QuotaUsage,
    Reservation,
)
from abaca.db.models.reconciler import (
    ReconcilerAction,
)
from abaca.db.models.share_groups import (
    ShareGroup,
    ShareGroupShareType,
    ShareGroupSnapshot,
    ShareGroupSnapshotMember,
    ShareGroupType,
    ShareGroupTypeProject,
    ShareGroupTypeShareType,
    ShareGroupTypeSpec,
)
from abaca.db.models.share_networks import (
    NetworkAllocation,
    SecurityService,
    ShareNetwork,
    ShareNetworkSecurityServiceAssociation,
    ShareNetworkSubnet,
    ShareServer,
    ShareServerBackendDetail,
)
from abaca.db.models.shares import (
    ExportLocation,
    Share,
    ShareAccessRule,
    ShareAccessRuleMetadata,
    ShareInstance,
    ShareMetadata,
    ShareSnapshot,
    ShareSnapshotAccessRule,
    ShareSnapshotExportLocation,
    ShareType,
    ShareTypeExtraSpec,
    ShareTypeProject,
)

__all__ = [
    "AvailabilityZone",
    "Base",
    "ExportLocation",
    "Message",
    "NetworkAllocation",
    "Quota",
    "QuotaClass",
    "QuotaUsage",
    "ReconcilerAction",
    "Reservation",
    "SecurityService",
    "Service",
    "Share",
    "ShareAccessRule",
    "ShareAccessRuleMetadata",
    "ShareGroup",
    "ShareGroupShareType",
    "ShareGroupSnapshot",
    "ShareGroupSnapshotMember",
    "ShareGroupType",
    "ShareGroupTypeProject",
    "ShareGroupTypeShareType",
    "ShareGroupTypeSpec",
    "ShareInstance",
    "ShareMetadata",
    "ShareNetwork",
    "ShareNetworkSecurityServiceAssociation",
    "ShareNetworkSubnet",
    "ShareServer",
    "ShareServerBackendDetail",
    "ShareSnapshot",
    "ShareSnapshotAccessRule",
    "ShareSnapshotExportLocation",
    "ShareType",
    "ShareTypeExtraSpec",
    "ShareTypeProject",
    "Timestamps",
    "new_uuid",
    "utcnow",
]
