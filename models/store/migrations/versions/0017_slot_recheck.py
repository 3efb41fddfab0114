"""a new meeting's Event whose slot is still to be asked about again

Revision ID: 0017_slot_recheck
Revises: 0016_kpi_paths
Create Date: 2026-12-02 02:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_slot_recheck"
down_revision = "0016_kpi_paths"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot_unchecked", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("slot_unchecked")
