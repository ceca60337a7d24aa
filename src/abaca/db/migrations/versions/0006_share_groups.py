"""share groups, share group types and share group snapshots

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('share_group_types',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name', 'deleted')
    )
    with op.batch_alter_table('share_group_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_group_types_deleted'), ['deleted'], unique=False)

    op.create_table('share_group_type_projects',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('share_group_type_id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['share_group_type_id'], ['share_group_types.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('share_group_type_id', 'project_id', 'deleted')
    )
    with op.batch_alter_table('share_group_type_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_group_type_projects_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_type_projects_share_group_type_id'), ['share_group_type_id'], unique=False)

    op.create_table('share_group_type_share_types',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('share_group_type_id', sa.String(length=36), nullable=False),
    sa.Column('share_type_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['share_group_type_id'], ['share_group_types.id'], ),
    sa.ForeignKeyConstraint(['share_type_id'], ['share_types.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('share_group_type_id', 'share_type_id', 'deleted')
    )
    with op.batch_alter_table('share_group_type_share_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_group_type_share_types_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_type_share_types_share_group_type_id'), ['share_group_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_type_share_types_share_type_id'), ['share_type_id'], unique=False)

    op.create_table('share_group_type_specs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('share_group_type_id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.String(length=1023), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['share_group_type_id'], ['share_group_types.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('share_group_type_id', 'key', 'deleted')
    )
    with op.batch_alter_table('share_group_type_specs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_group_type_specs_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_type_specs_share_group_type_id'), ['share_group_type_id'], unique=False)

    op.create_table('share_groups',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=True),
    sa.Column('project_id', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=True),
    sa.Column('display_description', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('availability_zone', sa.String(length=255), nullable=True),
    sa.Column('share_network_id', sa.String(length=36), nullable=True),
    sa.Column('share_server_id', sa.String(length=36), nullable=True),
    sa.Column('share_group_type_id', sa.String(length=36), nullable=False),
    sa.Column('source_share_group_snapshot_id', sa.String(length=36), nullable=True),
    sa.Column('consistent_snapshot_support', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['share_group_type_id'], ['share_group_types.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('share_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_groups_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_groups_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_groups_status'), ['status'], unique=False)

    op.create_table('share_group_share_types',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('share_group_id', sa.String(length=36), nullable=False),
    sa.Column('share_type_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['share_group_id'], ['share_groups.id'], ),
    sa.ForeignKeyConstraint(['share_type_id'], ['share_types.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('share_group_id', 'share_type_id', 'deleted')
    )
    with op.batch_alter_table('share_group_share_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_group_share_types_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_share_types_share_group_id'), ['share_group_id'], unique=False)

    op.create_table('share_group_snapshots',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('share_group_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=True),
    sa.Column('project_id', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=True),
    sa.Column('display_description', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['share_group_id'], ['share_groups.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('share_group_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_group_snapshots_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_snapshots_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_snapshots_share_group_id'), ['share_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_snapshots_status'), ['status'], unique=False)

    op.create_table('share_group_snapshot_members',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('share_group_snapshot_id', sa.String(length=36), nullable=False),
    sa.Column('share_id', sa.String(length=36), nullable=False),
    sa.Column('share_instance_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=True),
    sa.Column('project_id', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('share_proto', sa.String(length=16), nullable=False),
    sa.Column('share_type_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('provider_location', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['share_group_snapshot_id'], ['share_group_snapshots.id'], ),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], ),
    sa.ForeignKeyConstraint(['share_instance_id'], ['share_instances.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('share_group_snapshot_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_group_snapshot_members_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_snapshot_members_share_group_snapshot_id'), ['share_group_snapshot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_group_snapshot_members_share_id'), ['share_id'], unique=False)

    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_group_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('source_share_group_snapshot_member_id',
                                      sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_shares_share_group_id'), ['share_group_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shares_share_group_id'))
        batch_op.drop_column('source_share_group_snapshot_member_id')
        batch_op.drop_column('share_group_id')

    with op.batch_alter_table('share_group_snapshot_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_group_snapshot_members_share_id'))
        batch_op.drop_index(batch_op.f('ix_share_group_snapshot_members_share_group_snapshot_id'))
        batch_op.drop_index(batch_op.f('ix_share_group_snapshot_members_deleted'))

    op.drop_table('share_group_snapshot_members')
    with op.batch_alter_table('share_group_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_group_snapshots_status'))
        batch_op.drop_index(batch_op.f('ix_share_group_snapshots_share_group_id'))
        batch_op.drop_index(batch_op.f('ix_share_group_snapshots_project_id'))
        batch_op.drop_index(batch_op.f('ix_share_group_snapshots_deleted'))

    op.drop_table('share_group_snapshots')
    with op.batch_alter_table('share_group_share_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_group_share_types_share_group_id'))
        batch_op.drop_index(batch_op.f('ix_share_group_share_types_deleted'))

    op.drop_table('share_group_share_types')
    with op.batch_alter_table('share_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_groups_status'))
        batch_op.drop_index(batch_op.f('ix_share_groups_project_id'))
        batch_op.drop_index(batch_op.f('ix_share_groups_deleted'))

    op.drop_table('share_groups')
    with op.batch_alter_table('share_group_type_specs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_group_type_specs_share_group_type_id'))
        batch_op.drop_index(batch_op.f('ix_share_group_type_specs_deleted'))

    op.drop_table('share_group_type_specs')
    with op.batch_alter_table('share_group_type_share_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_group_type_share_types_share_type_id'))
        batch_op.drop_index(batch_op.f('ix_share_group_type_share_types_share_group_type_id'))
        batch_op.drop_index(batch_op.f('ix_share_group_type_share_types_deleted'))

    op.drop_table('share_group_type_share_types')
    with op.batch_alter_table('share_group_type_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_group_type_projects_share_group_type_id'))
        batch_op.drop_index(batch_op.f('ix_share_group_type_projects_deleted'))

    op.drop_table('share_group_type_projects')
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reservations_usage_id'))
        batch_op.drop_index(batch_op.f('ix_reservations_project_id'))
        batch_op.drop_index(batch_op.f('ix_reservations_origin'))
        batch_op.drop_index(batch_op.f('ix_reservations_expire'))
        batch_op.drop_index(batch_op.f('ix_reservations_deleted'))

    op.drop_table('reservations')
    with op.batch_alter_table('share_group_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_group_types_deleted'))

    op.drop_table('share_group_types')
