"""a booked meeting's invitation e-mail

Revision ID: 0015_meetings
Revises: 0014_kpi_indexes
Create Date: 2026-12-01 20:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_meetings"
down_revision = "0014_kpi_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("invitation_id")
