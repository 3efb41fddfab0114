"""Whole histories added at once get their stage entries in one pass.

The triggers of migration 0016_kpi_paths keep ``stage_entries`` right row by row: each new
stage change updates its lead's earlier entries and inserts its own, through three indexes.
For the births of a 100,000-lead first pull or a demo load that doubled the time. A writer
adding many histories pauses those triggers for its own transaction, inserts, and then counts
the new changes' leads again here with the same rules the triggers apply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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
def histories_at_once(connection: Connection, whole: bool = False) -> Iterator[None]:
    """Stage changes inserted inside this block get their entries in one pass at its end.
    ``connection`` must be in a write transaction, which the block must not end.

    ``whole``: the block writes the whole history of leads that had none (the births after a
    pull, a demo load). Their entries are then worked out here from the changes just written,
    without the recount's searches of every entry (a third of a 100,000-lead first pull's
    births)."""
    if not _kept(connection):
        yield
        return
    before = connection.execute(_NEWEST).scalar_one()
    connection.execute(text(f"INSERT INTO {_PAUSED} (id) VALUES (1)"))
    try:
        yield
        if whole:
            _add_paths(connection, before)
        else:
            connection.execute(_ADD, {"before": before})
            connection.execute(_RECOUNT, {"before": before})
    finally:
        connection.execute(text(f"DELETE FROM {_PAUSED}"))


_WRITTEN = text("""
    SELECT s.id, s.lead_id, l.owner_id, s.to_stage, s.changed_at
    FROM stage_changes AS s LEFT JOIN leads AS l ON l.id = s.lead_id
    WHERE s.id > :before""")
# Sent to the driver as tuples (binding a first pull's 250,000 dicts took seconds).
_ENTRY = """
    INSERT INTO stage_entries (change_id, lead_id, owner_id, stage, entered_at, previous_at,
                               later)
    VALUES (?, ?, ?, ?, ?, ?, ?)"""


def _add_paths(connection: Connection, before: int) -> None:
    """Each new change's entry from its lead's whole path, by the triggers' rules: the
    previous entry into the same stage and the stages entered after, in path order
    (changed_at, then id)."""
    paths: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in connection.execute(_WRITTEN, {"before": before}):
        paths[row[1]].append(tuple(row))
    entries: list[tuple[Any, ...]] = []
    for path in paths.values():
        path.sort(key=lambda change: (change[4], change[0]))
        last_entry: dict[str, Any] = {}
        for index, (change_id, lead_id, owner_id, stage, at) in enumerate(path):
            after = dict.fromkeys(change[3] for change in path[index + 1:])
            entries.append((change_id, lead_id, owner_id, stage, at, last_entry.get(stage),
                            ",".join(["", *after, ""]) if after else ","))
            last_entry[stage] = at
    if entries:
        connection.exec_driver_sql(_ENTRY, entries)
