"""KPI indexes and the hourly activity counts

Revision ID: 0014_kpi_indexes
Revises: 0013_send_outcomes
Create Date: 2026-12-01 20:15:00.000000

- activities (lead_id, occurred_at) gains the kind: a lead's first touch after a moment is
  read from the index alone.
- stage_changes (to_stage, changed_at) gains lead_id and from_stage: entries into a stage,
  and the SQLs decided, in a period without reading the table.
- activity_hours: calls, connects and touches per rep and UTC hour, filled from the
  activities there are and kept by triggers on every insert, update and delete after.
- mql_entries: each entry into MQL with the lead's rep and first call or e-mail after it,
  filled from the history there is and kept by triggers on stage_changes, activities and
  leads.
- leads (stage, owner_id, handoff_state, last_touch_at, created_at): leads held over 2 days.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.store.base

revision = "0014_kpi_indexes"
down_revision = "0013_send_outcomes"
branch_labels = None
depends_on = None

COUNTED = "kind IN ('call', 'email') AND owner_id IS NOT NULL"


def _counted(row: str) -> str:
    return f"{row}.kind IN ('call', 'email') AND {row}.owner_id IS NOT NULL"


def _add(row: str) -> str:
    """Count ``row`` (NEW) in its hour; the WHERE keeps the upsert unambiguous."""
    return f"""
        INSERT INTO activity_hours (hour, owner_id, calls, connects, touches)
        SELECT substr({row}.occurred_at, 1, 13), {row}.owner_id, {row}.kind = 'call',
               {row}.kind = 'call' AND coalesce({row}.outcome = 'connected', 0), 1
        WHERE {_counted(row)}
        ON CONFLICT (hour, owner_id) DO UPDATE SET
            calls = calls + excluded.calls, connects = connects + excluded.connects,
            touches = touches + 1;"""


def _take_back(row: str) -> str:
    return f"""
        UPDATE activity_hours SET
            calls = calls - ({row}.kind = 'call'),
            connects = connects - ({row}.kind = 'call'
                                   AND coalesce({row}.outcome = 'connected', 0)),
            touches = touches - 1
        WHERE hour = substr({row}.occurred_at, 1, 13) AND owner_id = {row}.owner_id
          AND {_counted(row)};"""


TRIGGERS = {
    "activity_hours_insert": f"AFTER INSERT ON activities BEGIN {_add('NEW')} END",
    "activity_hours_delete": f"AFTER DELETE ON activities BEGIN {_take_back('OLD')} END",
    "activity_hours_update": (
        "AFTER UPDATE OF kind, owner_id, outcome, occurred_at ON activities "
        f"BEGIN {_take_back('OLD')} {_add('NEW')} END"),
}


TOUCH = "kind IN ('call', 'email')"


def _first_touch(lead: str, entered: str) -> str:
    return (f"(SELECT min(a.occurred_at) FROM activities AS a WHERE a.lead_id = {lead} "
            f"AND a.occurred_at >= {entered} AND a.{TOUCH})")


def _enter(row: str) -> str:
    return f"""
        INSERT INTO mql_entries (lead_id, owner_id, entered_at, first_touch_at)
        SELECT {row}.lead_id, (SELECT owner_id FROM leads WHERE id = {row}.lead_id),
               {row}.changed_at, {_first_touch(f"{row}.lead_id", f"{row}.changed_at")}
        WHERE {row}.to_stage = 'MQL';"""


def _leave(row: str) -> str:
    return f"""
        DELETE FROM mql_entries WHERE id = (
            SELECT id FROM mql_entries WHERE lead_id = {row}.lead_id
            AND entered_at = {row}.changed_at LIMIT 1) AND {row}.to_stage = 'MQL';"""


def _touched_again(lead: str) -> str:
    """Read the first touch of each of the lead's entries again (a touch moved or gone)."""
    return f"""
        UPDATE mql_entries SET first_touch_at = {_first_touch(
            "mql_entries.lead_id", "mql_entries.entered_at")}
        WHERE lead_id = {lead};"""


ENTRY_TRIGGERS = {
    "mql_entries_stage_insert": f"AFTER INSERT ON stage_changes BEGIN {_enter('NEW')} END",
    "mql_entries_stage_delete": f"AFTER DELETE ON stage_changes BEGIN {_leave('OLD')} END",
    "mql_entries_stage_update": (
        "AFTER UPDATE OF lead_id, to_stage, changed_at ON stage_changes "
        f"BEGIN {_leave('OLD')} {_enter('NEW')} END"),
    "mql_entries_touch_insert": f"""AFTER INSERT ON activities
        WHEN NEW.lead_id IS NOT NULL AND NEW.{TOUCH} BEGIN
        UPDATE mql_entries SET first_touch_at = NEW.occurred_at
        WHERE lead_id = NEW.lead_id AND entered_at <= NEW.occurred_at
          AND (first_touch_at IS NULL OR first_touch_at > NEW.occurred_at); END""",
    "mql_entries_touch_delete": f"""AFTER DELETE ON activities
        WHEN OLD.lead_id IS NOT NULL AND OLD.{TOUCH} BEGIN {_touched_again('OLD.lead_id')}
        END""",
    "mql_entries_touch_update": f"""AFTER UPDATE OF lead_id, occurred_at, kind ON activities
        BEGIN {_touched_again('OLD.lead_id')} {_touched_again('NEW.lead_id')} END""",
    "mql_entries_lead_insert": """AFTER INSERT ON leads BEGIN
        UPDATE mql_entries SET owner_id = NEW.owner_id WHERE lead_id = NEW.id; END""",
    "mql_entries_lead_owner": """AFTER UPDATE OF owner_id ON leads BEGIN
        UPDATE mql_entries SET owner_id = NEW.owner_id WHERE lead_id = NEW.id; END""",
}


def upgrade() -> None:
    op.create_table(
        "activity_hours",
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("connects", sa.Integer(), nullable=False),
        sa.Column("touches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "owner_id", name=op.f("pk_activity_hours")),
    )
    op.execute(f"""
        INSERT INTO activity_hours (hour, owner_id, calls, connects, touches)
        SELECT substr(occurred_at, 1, 13), owner_id, SUM(kind = 'call'),
               SUM(kind = 'call' AND coalesce(outcome = 'connected', 0)), COUNT(*)
        FROM activities WHERE {COUNTED} GROUP BY 1, 2""")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_lead_id_occurred_at"))
        batch_op.create_index(batch_op.f("ix_activities_lead_id_occurred_at_kind"),
                              ["lead_id", "occurred_at", "kind"], unique=False)
    op.create_table(
        "mql_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("entered_at", models.store.base.UtcDateTime(), nullable=False),
        sa.Column("first_touch_at", models.store.base.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mql_entries")),
    )
    op.execute(f"""
        INSERT INTO mql_entries (lead_id, owner_id, entered_at, first_touch_at)
        SELECT s.lead_id, l.owner_id, s.changed_at, {_first_touch("s.lead_id", "s.changed_at")}
        FROM stage_changes AS s LEFT JOIN leads AS l ON l.id = s.lead_id
        WHERE s.to_stage = 'MQL'""")
    with op.batch_alter_table("mql_entries", schema=None) as batch_op:
        for columns in (["entered_at", "lead_id", "owner_id", "first_touch_at"],
                        ["owner_id", "entered_at", "lead_id", "first_touch_at"],
                        ["lead_id", "entered_at"]):
            batch_op.create_index(batch_op.f("ix_mql_entries_" + "_".join(columns)), columns,
                                  unique=False)
    for name, body in ENTRY_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_leads_stage_owner_id_handoff_state_last_touch_at_created_at"),
            ["stage", "owner_id", "handoff_state", "last_touch_at", "created_at"],
            unique=False)
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_changes_to_stage_changed_at"))
        batch_op.create_index(
            batch_op.f("ix_stage_changes_to_stage_changed_at_lead_id_from_stage"),
            ["to_stage", "changed_at", "lead_id", "from_stage"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_leads_stage_owner_id_handoff_state_last_touch_at_created_at"))
    for name in ENTRY_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.drop_table("mql_entries")
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_stage_changes_to_stage_changed_at_lead_id_from_stage"))
        batch_op.create_index(batch_op.f("ix_stage_changes_to_stage_changed_at"),
                              ["to_stage", "changed_at"], unique=False)
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_lead_id_occurred_at_kind"))
        batch_op.create_index(batch_op.f("ix_activities_lead_id_occurred_at"),
                              ["lead_id", "occurred_at"], unique=False)
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.drop_table("activity_hours")
