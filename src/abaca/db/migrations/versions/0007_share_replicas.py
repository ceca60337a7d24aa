"""share replicas: the share's replication type and each instance's replica state

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replication_type', sa.String(length=255),
                                      nullable=True))
    with op.batch_alter_table('share_instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replica_state', sa.String(length=255),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('share_instances', schema=None) as batch_op:
        batch_op.drop_column('replica_state')
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_column('replication_type')
