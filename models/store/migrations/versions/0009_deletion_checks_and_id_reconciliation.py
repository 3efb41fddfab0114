"""deletion checks and id reconciliation

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 09:12:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.store.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deletions_through", models.store.base.UtcDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("reconciled_at", models.store.base.UtcDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("reconciled_at")
        batch_op.drop_column("deletions_through")
