"""quota reservations and per-user and per-share-type quotas

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 19:40:00

``quota_usages`` is rebuilt: until now its rows were only locks (``in_use`` stayed 0)
and the quota service recomputes a missing usage row from the live rows, so nothing is
lost. ``quotas.user_id`` and ``quotas.share_type_id`` become "" instead of NULL when a
quota is not scoped, so the unique constraint covers every scope.
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _usages_table() -> None:
    op.create_table(
        'quota_usages',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=False),
        sa.Column('share_type_id', sa.String(length=36), nullable=False),
        sa.Column('resource', sa.String(length=255), nullable=False),
        sa.Column('in_use', sa.Integer(), nullable=False),
        sa.Column('reserved', sa.Integer(), nullable=False),
        sa.Column('until_refresh', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'user_id', 'share_type_id', 'resource', 'deleted'),
    )
    with op.batch_alter_table('quota_usages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_usages_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_quota_usages_project_id'), ['project_id'],
                              unique=False)


def upgrade() -> None:
    with op.batch_alter_table('quota_usages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quota_usages_project_id'))
        batch_op.drop_index(batch_op.f('ix_quota_usages_deleted'))
    op.drop_table('quota_usages')
    _usages_table()

    op.execute("UPDATE quotas SET user_id = '' WHERE user_id IS NULL")
    op.execute("UPDATE quotas SET share_type_id = '' WHERE share_type_id IS NULL")
    with op.batch_alter_table('quotas', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('share_type_id', existing_type=sa.String(length=36),
                              nullable=False)

    op.create_table(
        'reservations',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('usage_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=False),
        sa.Column('share_type_id', sa.String(length=36), nullable=False),
        sa.Column('resource', sa.String(length=255), nullable=False),
        sa.Column('delta', sa.Integer(), nullable=False),
        sa.Column('expire', sa.DateTime(), nullable=False),
        sa.Column('origin', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['usage_id'], ['quota_usages.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        for column in ('deleted', 'expire', 'origin', 'project_id', 'usage_id'):
            batch_op.create_index(batch_op.f(f'ix_reservations_{column}'), [column],
                                  unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        for column in ('deleted', 'expire', 'origin', 'project_id', 'usage_id'):
            batch_op.drop_index(batch_op.f(f'ix_reservations_{column}'))
    op.drop_table('reservations')
    with op.batch_alter_table('quotas', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.String(length=255), nullable=True)
        batch_op.alter_column('share_type_id', existing_type=sa.String(length=36),
                              nullable=True)
    with op.batch_alter_table('quota_usages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quota_usages_project_id'))
        batch_op.drop_index(batch_op.f('ix_quota_usages_deleted'))
    op.drop_table('quota_usages')
    op.create_table(
        'quota_usages',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.Column('resource', sa.String(length=255), nullable=False),
        sa.Column('in_use', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'resource', 'deleted'),
    )
    with op.batch_alter_table('quota_usages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_usages_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_quota_usages_project_id'), ['project_id'],
                              unique=False)
