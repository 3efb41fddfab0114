"""Each stage entry with what followed it, for the waterfall

Revision ID: 0016_kpi_paths
Revises: 0015_meetings
Create Date: 2026-12-02 00:00:00.000000

stage_entries: one row per stage change (its id), with the lead's rep, the moment the lead
entered the stage, its previous entry into the same stage and the stages it entered after
(",SQL,Opportunity,"), in the order of its path (changed_at, then id). The waterfall of any
period then counts rows: a lead's first entry into a stage in the period is the one whose
previous entry into it lies before the period. Filled from the history there is and kept by
triggers on stage_changes and leads. The triggers read only this table (and a lead by its
key): a bulk load drops stage_changes' indexes while it runs (models.store.bulk).

stage_entries_paused: a row there, inside one writer's transaction, pauses the triggers on new
stage changes while that writer fills the entries itself (models.store.stage_entries_fill).

stage_changes (from_stage, changed_at, days_in_from_stage): the stays that ended in a period
counted without reading the table (the waterfall's median days in stage).

mql_entries gains previous_at, the lead's previous entry into MQL (in the order entered_at,
then id), kept by the triggers that keep its entries: a lead's first entry in a period is
read from one index range instead of grouping every entry of the period by lead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.store.base

revision = "0016_kpi_paths"
down_revision = "0015_meetings"
branch_labels = None
depends_on = None


def _after(lead: str, entered: str, change: str) -> str:
    """The entries of ``lead`` after the moment (``entered``, ``change``) in path order."""
    return (f"FROM stage_entries AS n WHERE n.lead_id = {lead} "
            f"AND (n.entered_at, n.change_id) > ({entered}, {change})")


def _recount(lead: str) -> str:
    """Each entry of ``lead``: its previous entry into the same stage and the stages after."""
    return f"""
        UPDATE stage_entries SET
            previous_at = (SELECT max(p.entered_at) FROM stage_entries AS p
                           WHERE p.lead_id = stage_entries.lead_id
                             AND p.stage = stage_entries.stage
                             AND (p.entered_at, p.change_id)
                                 < (stage_entries.entered_at, stage_entries.change_id)),
            later = ',' || coalesce((SELECT group_concat(DISTINCT n.stage) {_after(
                "stage_entries.lead_id", "stage_entries.entered_at",
                "stage_entries.change_id")}) || ',', '')
        WHERE lead_id = {lead};"""


def _owner(lead: str) -> str:
    return f"(SELECT owner_id FROM leads WHERE id = {lead})"


def _insert(row: str) -> str:
    return f"""
        INSERT INTO stage_entries (change_id, lead_id, owner_id, stage, entered_at, later)
        VALUES ({row}.id, {row}.lead_id, {_owner(f"{row}.lead_id")}, {row}.to_stage,
                {row}.changed_at, ',');"""


_LAST = "NOT EXISTS (SELECT 1 {})".format(_after("NEW.lead_id", "NEW.changed_at", "NEW.id"))
# A writer adding whole histories at once (the births after a pull, a demo load) pauses the
# insert triggers with a row of its own transaction and fills the entries in one pass
# (models.store.stage_entries_fill): row by row they doubled a 100,000-lead first pull.
_ON = "NOT EXISTS (SELECT 1 FROM stage_entries_paused)"

TRIGGERS = {
    # The usual case: the newest change of its lead. The entries before it gain its stage.
    "stage_entries_append": f"""AFTER INSERT ON stage_changes WHEN {_LAST} AND {_ON} BEGIN
        UPDATE stage_entries SET later = later || NEW.to_stage || ','
        WHERE lead_id = NEW.lead_id AND instr(later, ',' || NEW.to_stage || ',') = 0;
        INSERT INTO stage_entries (change_id, lead_id, owner_id, stage, entered_at,
                                   previous_at, later)
        VALUES (NEW.id, NEW.lead_id, {_owner("NEW.lead_id")}, NEW.to_stage, NEW.changed_at,
                (SELECT max(entered_at) FROM stage_entries
                 WHERE lead_id = NEW.lead_id AND stage = NEW.to_stage), ',');
        END""",
    # A change dated before others of its lead (a backfill, a pull): the lead counted again.
    "stage_entries_insert_between": f"""AFTER INSERT ON stage_changes
        WHEN NOT {_LAST} AND {_ON} BEGIN
        {_insert("NEW")} {_recount("NEW.lead_id")} END""",
    "stage_entries_delete": f"""AFTER DELETE ON stage_changes BEGIN
        DELETE FROM stage_entries WHERE change_id = OLD.id; {_recount("OLD.lead_id")} END""",
    "stage_entries_update": f"""AFTER UPDATE OF id, lead_id, to_stage, changed_at
        ON stage_changes BEGIN
        DELETE FROM stage_entries WHERE change_id = OLD.id; {_insert("NEW")}
        {_recount("OLD.lead_id")} {_recount("NEW.lead_id")} END""",
    "stage_entries_lead_insert": """AFTER INSERT ON leads BEGIN
        UPDATE stage_entries SET owner_id = NEW.owner_id WHERE lead_id = NEW.id; END""",
    "stage_entries_lead_owner": """AFTER UPDATE OF id, owner_id ON leads BEGIN
        UPDATE stage_entries SET owner_id = NULL WHERE lead_id = OLD.id;
        UPDATE stage_entries SET owner_id = NEW.owner_id WHERE lead_id = NEW.id; END""",
    "stage_entries_lead_delete": """AFTER DELETE ON leads BEGIN
        UPDATE stage_entries SET owner_id = NULL WHERE lead_id = OLD.id; END""",
}

def _previous_mql(lead: str) -> str:
    return f"""
        UPDATE mql_entries SET previous_at = (
            SELECT max(p.entered_at) FROM mql_entries AS p
            WHERE p.lead_id = mql_entries.lead_id
              AND (p.entered_at, p.id) < (mql_entries.entered_at, mql_entries.id))
        WHERE lead_id = {lead};"""


def _mql_triggers(enter: str, leave: str, then: str = "", then_added: str = "",
                  enter_after: str = "") -> dict[str, str]:
    """0014's triggers on stage history for mql_entries, with ``then`` after each (an
    insert: ``enter_after`` in place of ``enter``, then ``then_added``)."""
    return {
        "mql_entries_stage_insert": f"""AFTER INSERT ON stage_changes BEGIN {(
            enter_after or enter).format("NEW")} {then_added.format("NEW")} END""",
        "mql_entries_stage_delete": f"""AFTER DELETE ON stage_changes BEGIN {leave.format(
            "OLD")} {then.format("OLD")} END""",
        "mql_entries_stage_update": f"""AFTER UPDATE OF lead_id, to_stage, changed_at
            ON stage_changes BEGIN {leave.format("OLD")} {enter.format("NEW")}
            {then.format("OLD")} {then.format("NEW")} END""",
    }


_ENTER = """
        INSERT INTO mql_entries (lead_id, owner_id, entered_at, first_touch_at)
        SELECT {0}.lead_id, (SELECT owner_id FROM leads WHERE id = {0}.lead_id),
               {0}.changed_at, (SELECT min(a.occurred_at) FROM activities AS a
                                WHERE a.lead_id = {0}.lead_id AND a.occurred_at >= {0}.changed_at
                                  AND a.kind IN ('call', 'email'))
        WHERE {0}.to_stage = 'MQL';"""
# An entry after the lead's others (the usual case) takes the latest of them as its previous
# one; any other change to a lead's entries counts them all again.
_ENTER_AFTER = """
        INSERT INTO mql_entries (lead_id, owner_id, entered_at, first_touch_at, previous_at)
        SELECT {0}.lead_id, (SELECT owner_id FROM leads WHERE id = {0}.lead_id),
               {0}.changed_at, (SELECT min(a.occurred_at) FROM activities AS a
                                WHERE a.lead_id = {0}.lead_id AND a.occurred_at >= {0}.changed_at
                                  AND a.kind IN ('call', 'email')),
               (SELECT max(entered_at) FROM mql_entries WHERE lead_id = {0}.lead_id)
        WHERE {0}.to_stage = 'MQL';"""
_LEAVE = """
        DELETE FROM mql_entries WHERE id = (
            SELECT id FROM mql_entries WHERE lead_id = {0}.lead_id
            AND entered_at = {0}.changed_at LIMIT 1) AND {0}.to_stage = 'MQL';"""
_RECOUNT_MQL = """
        UPDATE mql_entries SET previous_at = (
            SELECT max(p.entered_at) FROM mql_entries AS p
            WHERE p.lead_id = mql_entries.lead_id
              AND (p.entered_at, p.id) < (mql_entries.entered_at, mql_entries.id))
        WHERE lead_id = {0}.lead_id AND {0}.to_stage = 'MQL';"""
_RECOUNT_IF_BEFORE = """
        UPDATE mql_entries SET previous_at = (
            SELECT max(p.entered_at) FROM mql_entries AS p
            WHERE p.lead_id = mql_entries.lead_id
              AND (p.entered_at, p.id) < (mql_entries.entered_at, mql_entries.id))
        WHERE lead_id = {0}.lead_id AND {0}.to_stage = 'MQL' AND EXISTS (
            SELECT 1 FROM mql_entries WHERE lead_id = {0}.lead_id
            AND entered_at > {0}.changed_at);"""
MQL_OLD_INDEXES = (["entered_at", "lead_id", "owner_id", "first_touch_at"],
                   ["owner_id", "entered_at", "lead_id", "first_touch_at"])
MQL_INDEXES = (["entered_at", "owner_id", "first_touch_at", "previous_at"],
               ["owner_id", "entered_at", "first_touch_at", "previous_at"])

INDEXES = (
    # Grouped by stage and what came after in index order: a period's waterfall is one pass
    # over a stage's entries with no sort, whatever the period.
    ["stage", "later", "entered_at", "previous_at"],
    ["owner_id", "stage", "later", "entered_at", "previous_at"],
    ["lead_id", "entered_at", "stage"],
)


def upgrade() -> None:
    op.create_table(
        "stage_entries",
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("entered_at", models.store.base.UtcDateTime(), nullable=False),
        sa.Column("previous_at", models.store.base.UtcDateTime(), nullable=True),
        sa.Column("later", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("change_id", name=op.f("pk_stage_entries")),
    )
    op.execute("""
        INSERT INTO stage_entries (change_id, lead_id, owner_id, stage, entered_at, later)
        SELECT s.id, s.lead_id, l.owner_id, s.to_stage, s.changed_at, ','
        FROM stage_changes AS s LEFT JOIN leads AS l ON l.id = s.lead_id""")
    with op.batch_alter_table("stage_entries", schema=None) as batch_op:
        for columns in INDEXES:
            batch_op.create_index(batch_op.f("ix_stage_entries_" + "_".join(columns)),
                                  columns, unique=False)
    op.execute(_recount("stage_entries.lead_id"))
    op.create_table(
        "stage_entries_paused",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_entries_paused")),
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    with op.batch_alter_table("mql_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_at", models.store.base.UtcDateTime(),
                                      nullable=True))
        for columns in MQL_OLD_INDEXES:
            batch_op.drop_index(batch_op.f("ix_mql_entries_" + "_".join(columns)))
    op.execute(_previous_mql("mql_entries.lead_id"))
    with op.batch_alter_table("mql_entries", schema=None) as batch_op:
        for columns in MQL_INDEXES:
            batch_op.create_index(batch_op.f("ix_mql_entries_" + "_".join(columns)), columns,
                                  unique=False)
    for name, body in _mql_triggers(_ENTER, _LEAVE, _RECOUNT_MQL, _RECOUNT_IF_BEFORE,
                                    _ENTER_AFTER).items():
        op.execute(f"DROP TRIGGER {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stage_changes_from_stage_changed_at_days_in_from_stage"),
            ["from_stage", "changed_at", "days_in_from_stage"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_stage_changes_from_stage_changed_at_days_in_from_stage"))
    for name, body in _mql_triggers(_ENTER, _LEAVE).items():
        op.execute(f"DROP TRIGGER {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")
    with op.batch_alter_table("mql_entries", schema=None) as batch_op:
        for columns in MQL_INDEXES:
            batch_op.drop_index(batch_op.f("ix_mql_entries_" + "_".join(columns)))
        for columns in MQL_OLD_INDEXES:
            batch_op.create_index(batch_op.f("ix_mql_entries_" + "_".join(columns)), columns,
                                  unique=False)
    with op.batch_alter_table("mql_entries", schema=None) as batch_op:
        batch_op.drop_column("previous_at")
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.drop_table("stage_entries_paused")
    op.drop_table("stage_entries")
