"""create and e-mail outcomes the CRM never confirmed

Revision ID: 0013_send_outcomes
Revises: 0012_lead_status_width
Create Date: 2026-12-01 17:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.store.base

revision = "0013_send_outcomes"
down_revision = "0012_lead_status_width"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent", sa.JSON(), nullable=True))
    op.create_table(
        "email_sends",
        sa.Column("activity_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("tried_at", models.store.base.UtcDateTime(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_email_sends")),
    )
    with op.batch_alter_table("email_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_sends_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("email_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_sends_state"))
    op.drop_table("email_sends")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("sent")
