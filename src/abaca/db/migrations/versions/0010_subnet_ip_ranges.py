"""share network subnets: the addresses of an admin's cidr handed out (allowed_ip_ranges)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 20:50:00

Comma-separated CIDRs, single addresses and first-last ranges inside the subnet's own
``cidr`` (the grammar of ``standalone_network_plugin_allowed_ip_ranges``); empty: the
whole cidr.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('share_network_subnets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allowed_ip_ranges', sa.String(length=1024),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('share_network_subnets', schema=None) as batch_op:
        batch_op.drop_column('allowed_ip_ranges')
