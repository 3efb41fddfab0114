"""stage history from birth: each change's origin, and a history for every lead; the
history of each deal's edits; leads back from nurture (when their cadence began, and the
re-engagement cadence)

Revision ID: 0011_stage_history
Revises: 0010
Create Date: 2026-12-01 17:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.store.base
from models.funnel_backfill import backfill
from resources import load_json

revision = "0011_stage_history"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("days_in_from_stage", sa.Float(), nullable=True))
        batch_op.drop_index("ix_stage_changes_lead_id_changed_at")
        batch_op.drop_constraint("fk_stage_changes_lead_id_leads", type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_stage_changes_lead_id_leads"), "leads",
                                    ["lead_id"], ["id"], ondelete="CASCADE")
        batch_op.create_index(batch_op.f("ix_stage_changes_lead_id_changed_at_id_to_stage"),
                              ["lead_id", "changed_at", "id", "to_stage"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stage_changes_from_stage_days_in_from_stage_changed_at_lead_id"),
            ["from_stage", "days_in_from_stage", "changed_at", "lead_id"], unique=False)
    op.create_table(
        "opportunity_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("from_value", sa.String(length=255), nullable=True),
        sa.Column("to_value", sa.String(length=255), nullable=True),
        sa.Column("changed_at", models.store.base.UtcDateTime(), nullable=False),
        sa.Column("changed_by_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"],
                                name=op.f("fk_opportunity_changes_changed_by_id_users")),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"], ondelete="CASCADE",
                                name=op.f("fk_opportunity_changes_opportunity_id_opportunities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_changes")),
    )
    with op.batch_alter_table("opportunity_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunity_changes_opportunity_id_changed_at"),
                              ["opportunity_id", "changed_at"], unique=False)
    op.create_table(
        "meetings",
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("starts_at", models.store.base.UtcDateTime(), nullable=False),
        sa.Column("ends_at", models.store.base.UtcDateTime(), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=True),
        sa.Column("opportunity_id", sa.String(length=36), nullable=True),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("booked_by_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", models.store.base.UtcDateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("crm_id", sa.String(length=18), nullable=True),
        sa.Column("crm_modstamp", models.store.base.UtcDateTime(), nullable=True),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["booked_by_id"], ["users.id"],
                                name=op.f("fk_meetings_booked_by_id_users")),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_meetings_lead_id_leads")),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"],
                                name=op.f("fk_meetings_opportunity_id_opportunities")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"],
                                name=op.f("fk_meetings_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("crm_id", name=op.f("uq_meetings_crm_id")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_owner_id_starts_at"),
                              ["owner_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_lead_id"), ["lead_id"], unique=False)
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cadence_started_at", models.store.base.UtcDateTime(),
                                      nullable=True))
        batch_op.create_index(batch_op.f("ix_leads_stage_follow_up_on_handoff_state"),
                              ["stage", "follow_up_on", "handoff_state"], unique=False)
    _add_shipped_cadence("re-engagement")
    # Leads were born without a stage change before this version: rebuild what the store
    # knows (their status, qualification, hand-off, opportunity, close).
    backfill(op.get_bind(), origin="inferred", upgrade_recorded=True)


def _add_shipped_cadence(key: str) -> None:
    """A cadence RepDesk now ships, for a store already set up (a new one gets every shipped
    cadence when it opens), unless the team has one by that key."""
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM cadences LIMIT 1")).first():
        return
    if bind.execute(sa.text("SELECT 1 FROM cadences WHERE key = :key"), {"key": key}).first():
        return
    [cadence] = [c for c in load_json("cadences.json") if c["key"] == key]
    bind.execute(sa.text("INSERT INTO cadences (key, name, is_default) "
                         "VALUES (:key, :name, 0)"), {"key": key, "name": cadence["name"]})
    bind.execute(sa.text(
        "INSERT INTO cadence_steps (cadence_key, position, channel, anchor, offset_hours, "
        "window_hours, template_name) VALUES (:key, :position, :channel, :anchor, "
        ":offset_hours, :window_hours, :template_name)"),
        [dict(step, key=key) for step in cadence["steps"]])


def downgrade() -> None:
    op.drop_table("meetings")
    op.drop_table("opportunity_changes")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_stage_follow_up_on_handoff_state"))
        batch_op.drop_column("cadence_started_at")
    op.execute("DELETE FROM stage_changes WHERE origin IN ('entry', 'inferred', 'implied')")
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_stage_changes_from_stage_days_in_from_stage_changed_at_lead_id"))
        batch_op.drop_index(batch_op.f("ix_stage_changes_lead_id_changed_at_id_to_stage"))
        batch_op.create_index("ix_stage_changes_lead_id_changed_at", ["lead_id", "changed_at"],
                              unique=False)
        batch_op.drop_constraint("fk_stage_changes_lead_id_leads", type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_stage_changes_lead_id_leads"), "leads",
                                    ["lead_id"], ["id"])
        batch_op.drop_column("days_in_from_stage")
        batch_op.drop_column("origin")
