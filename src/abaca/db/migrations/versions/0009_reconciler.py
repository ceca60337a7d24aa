"""reconciler records

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 20:00:00

What a share service's reconciler (or the scheduler's request timeout) did to each
resource it drove out of a transitional state, and the orphans it found or removed;
``abaca-manage reconcile history`` lists them.
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reconciler_actions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('resource_type', sa.String(length=32), nullable=False),
        sa.Column('resource_id', sa.String(length=255), nullable=False),
        sa.Column('from_status', sa.String(length=64), nullable=True),
        sa.Column('to_status', sa.String(length=64), nullable=True),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    for column in ('deleted', 'host', 'resource_id'):
        op.create_index(op.f(f'ix_reconciler_actions_{column}'), 'reconciler_actions',
                        [column], unique=False)


def downgrade() -> None:
    op.drop_table('reconciler_actions')
