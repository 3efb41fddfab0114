"""Whole histories added at once get their stage entries in one pass.

The triggers of migration 0016_kpi_paths keep ``stage_entries`` right row by row: each new
stage change updates its lead's earlier entries and inserts its own, through three indexes.
For the births of a 100,000-lead first pull or a demo load that doubled the time. A writer
adding many histories pauses those triggers for its own transaction, inserts, and then counts
the new changes' leads again here with the same rules the triggers apply.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

_PAUSED = "stage_entries_paused"
_NEWEST = text("SELECT coalesce(max(id), 0) FROM stage_changes")
# The changes written since ``before`` (ids only grow within one writer's transaction), read
# by id: a bulk load may have dropped stage_changes' other indexes.
_ADD = text("""
    INSERT INTO stage_entries (change_id, lead_id, owner_id, stage, entered_at, later)
    SELECT s.id, s.lead_id, l.owner_id, s.to_stage, s.changed_at, ','
    FROM stage_changes AS s LEFT JOIN leads AS l ON l.id = s.lead_id
    WHERE s.id > :before""")
_RECOUNT = text("""
    UPDATE stage_entries SET
        previous_at = (SELECT max(p.entered_at) FROM stage_entries AS p
                       WHERE p.lead_id = stage_entries.lead_id
                         AND p.stage = stage_entries.stage
                         AND (p.entered_at, p.change_id)
                             < (stage_entries.entered_at, stage_entries.change_id)),
        later = ',' || coalesce((SELECT group_concat(DISTINCT n.stage)
                                 FROM stage_entries AS n
                                 WHERE n.lead_id = stage_entries.lead_id
                                   AND (n.entered_at, n.change_id)
                                       > (stage_entries.entered_at, stage_entries.change_id))
                                || ',', '')
    WHERE lead_id IN (SELECT DISTINCT lead_id FROM stage_changes WHERE id > :before)""")


def _kept(connection: Connection) -> bool:
    """Whether this store keeps stage entries (a migration before 0016 runs without)."""
    return connection.execute(text(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": _PAUSED}).first() is not None


@contextmanager
def histories_at_once(connection: Connection) -> Iterator[None]:
    """Stage changes inserted inside this block get their entries in one pass at its end.
    ``connection`` must be in a write transaction, which the block must not end."""
    if not _kept(connection):
        yield
        return
    before = connection.execute(_NEWEST).scalar_one()
    connection.execute(text(f"INSERT INTO {_PAUSED} (id) VALUES (1)"))
    try:
        yield
        connection.execute(_ADD, {"before": before})
        connection.execute(_RECOUNT, {"before": before})
    finally:
        connection.execute(text(f"DELETE FROM {_PAUSED}"))
