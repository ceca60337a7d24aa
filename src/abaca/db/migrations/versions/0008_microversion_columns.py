"""share instance progress (2.54); snapshot export locations and access rules (2.32)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True),
            sa.Column('deleted_at', sa.DateTime(), nullable=True),
            sa.Column('deleted', sa.String(length=36), nullable=False)]


def upgrade() -> None:
    with op.batch_alter_table('share_instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress', sa.String(length=32), nullable=True))
    # Instances that got past creation were complete.
    op.execute("UPDATE share_instances SET progress = '100%' "
               "WHERE status NOT IN ('creating', 'creating_from_snapshot', 'error')")

    op.create_table(
        'share_snapshot_access_rules',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('snapshot_id', sa.String(length=36), nullable=False),
        sa.Column('access_type', sa.String(length=32), nullable=False),
        sa.Column('access_to', sa.String(length=255), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(['snapshot_id'], ['share_snapshots.id'], ),
        sa.PrimaryKeyConstraint('id'))
    for column in ('deleted', 'snapshot_id', 'state'):
        op.create_index(op.f(f'ix_share_snapshot_access_rules_{column}'),
                        'share_snapshot_access_rules', [column], unique=False)
    op.create_table(
        'share_snapshot_export_locations',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('snapshot_id', sa.String(length=36), nullable=False),
        sa.Column('path', sa.String(length=2000), nullable=False),
        sa.Column('is_admin_only', sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(['snapshot_id'], ['share_snapshots.id'], ),
        sa.PrimaryKeyConstraint('id'))
    for column in ('deleted', 'snapshot_id'):
        op.create_index(op.f(f'ix_share_snapshot_export_locations_{column}'),
                        'share_snapshot_export_locations', [column], unique=False)


def downgrade() -> None:
    op.drop_table('share_snapshot_export_locations')
    op.drop_table('share_snapshot_access_rules')
    with op.batch_alter_table('share_instances', schema=None) as batch_op:
        batch_op.drop_column('progress')
