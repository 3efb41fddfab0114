"""a lead's stage holds any CRM lead status (Salesforce's "Closed - Not Converted" is longer
than the 20 characters the column had)

Revision ID: 0012_lead_status_width
Revises: 0011_stage_history
Create Date: 2026-12-01 18:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_lead_status_width"
down_revision = "0011_stage_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.alter_column("stage", existing_type=sa.String(length=20),
                              type_=sa.String(length=255), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.alter_column("stage", existing_type=sa.String(length=255),
                              type_=sa.String(length=20), existing_nullable=False)
