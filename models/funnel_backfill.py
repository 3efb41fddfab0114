"""Stage history for leads that have none: rebuilt from what the store knows of them.

Used by the migration that brings older stores up to date (their leads were born without
history), after a demo load and after each pull (a lead new to this store arrives with a
status and a creation date). Each lead gets its birth (MCL, and MQL by marketing's rule or
because it went further) and every step its status implies, each at the best moment the store
knows: the qualification, the hand-off, the opportunity, the close. Plain SQL on a connection,
so a migration can run it inside its own transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.orm import Session, sessionmaker

from models.funnel import skipped_steps
from models.funnel_config import (
    HANDOFF_MAPPING_SETTING,
    HandoffMapping,
    entry_spec,
    handoff_mappings,
    path_to,
    stage_of_crm_status,
    stage_specs,
)
from models.store import history_load
from models.store.bulk import sized_to_hold
from models.store.stage_entries_fill import histories_at_once
from resources import load_json

# Leads whose history the first write after a pull takes; the next writes take as many as
# hold SQLite's write lock about HOLD_S (``next_batch``). A fixed 1,000 held it up to 0.34 s on
# 100,000 leads, and a rep's save may wait for one write; a fixed 500 made 200 writes whose
# commits took most of the births' time.
BATCH = 500
HOLD_S = 0.1
MIN_BATCH = 50
MAX_BATCH = 20_000

_LEADS_WITHOUT_HISTORY = """
SELECT l.id, l.stage, l.source, l.registration, l.created_at, l.first_touch_at,
       l.last_touch_at, l.handoff_at, l.handoff_state
FROM leads AS l
WHERE NOT EXISTS (SELECT 1 FROM stage_changes AS s WHERE s.lead_id = l.id)
"""
_LEADS_WITHOUT_BIRTH = """
SELECT l.id, l.source, l.registration, l.created_at
FROM leads AS l
WHERE EXISTS (SELECT 1 FROM stage_changes AS s WHERE s.lead_id = l.id)
  AND NOT EXISTS (SELECT 1 FROM stage_changes AS s
                  WHERE s.lead_id = l.id AND s.from_stage IS NULL)
"""
# Sent to the driver as tuples: SQLAlchemy's binding of 250,000 dicts was 2.3 s of a first
# pull's births.
_INSERT = ("INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at, "
           "changed_by_id, reason, origin, days_in_from_stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_WITHOUT_DAYS = """
SELECT id, lead_id, changed_at FROM stage_changes
WHERE lead_id IN (SELECT lead_id FROM stage_changes
                  WHERE from_stage IS NOT NULL AND days_in_from_stage IS NULL)
ORDER BY lead_id, changed_at, id
"""


def _mapping(connection: Connection) -> HandoffMapping:
    row = connection.execute(text("SELECT value FROM settings WHERE key = :key"),
                             {"key": HANDOFF_MAPPING_SETTING}).first()
    mappings = handoff_mappings()
    default = load_json("funnel.json")["handoff_mapping"]["default"]
    chosen = json.loads(row[0]) if row else default
    return mappings.get(chosen) or mappings[default]


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _qualified_at(connection: Connection) -> dict[str, tuple[str, datetime]]:
    """Each lead's latest qualification: its category and when."""
    found: dict[str, tuple[str, datetime]] = {}
    for lead_id, category, at in connection.execute(text(
            "SELECT lead_id, category, qualified_at FROM qualifications "
            "ORDER BY qualified_at")):
        found[lead_id] = (category, _time(at) or datetime.min)
    return found


def _opportunities(connection: Connection) -> dict[str, tuple[datetime, datetime | None, str]]:
    """Each lead's first opportunity: created, closed (or None), and how it closed."""
    found: dict[str, tuple[datetime, datetime | None, str]] = {}
    for lead_id, created, closed_at, is_closed, is_won in connection.execute(text(
            "SELECT lead_id, created_at, closed_at, is_closed, is_won FROM opportunities "
            "WHERE lead_id IS NOT NULL ORDER BY created_at DESC")):
        outcome = ("Closed Won" if is_won else "Closed Lost") if is_closed else ""
        found[lead_id] = (_time(created) or datetime.min, _time(closed_at), outcome)
    return found


def _current(status: str | None, handoff_state: str | None, mapping: HandoffMapping,
             opportunity: tuple[datetime, datetime | None, str] | None, entry: str) -> str:
    if opportunity and opportunity[2]:
        return opportunity[2]
    if handoff_state == "accepted" or opportunity:
        return mapping.accepted[-1]
    stage = stage_of_crm_status(status) or entry
    if stage in ("SAL", "SQL"):
        return mapping.qualified
    return stage


def _moments(row: Mapping[str, Any], qualified: tuple[str, datetime] | None,
             opportunity: tuple[datetime, datetime | None, str] | None,
             mapping: HandoffMapping) -> dict[str, datetime | None]:
    created = _time(row["created_at"])
    touched = _time(row["last_touch_at"]) or _time(row["first_touch_at"])
    handed = _time(row["handoff_at"]) or (qualified[1] if qualified else None)
    opened = opportunity[0] if opportunity else None
    return {
        "MCL": created, "MQL": created, mapping.qualified: handed or touched,
        **{stage: opened or handed for stage in mapping.accepted},
        "Closed Won": opportunity[1] if opportunity else None,
        "Closed Lost": opportunity[1] if opportunity else None,
        "nurture": (qualified[1] if qualified else None) or touched,
        "disqualified": (qualified[1] if qualified else None) or touched,
    }


# A lead's path follows from its stage and the mapping alone; worked out afresh it was 2.3 of a
# first pull's 34 s of births (100,000 leads, a dozen distinct paths).
_path_to = cache(path_to)


def _history(row: Mapping[str, Any], qualified: tuple[str, datetime] | None,
             opportunity: tuple[datetime, datetime | None, str] | None,
             mapping: HandoffMapping, origin: str) -> list[dict[str, Any]]:
    registration = row["registration"]
    facts = {"channel": "store", "source": row["source"],
             "registration": json.loads(registration or "{}")
             if isinstance(registration, str) else registration}
    rule = entry_spec()
    entry = rule.qualified_as if rule.meets_mql(facts) else rule.collected_as
    current = _current(row["stage"], row["handoff_state"], mapping, opportunity, entry)
    path = _path_to(current, mapping)
    moments = _moments(row, qualified, opportunity, mapping)
    changes, previous, at = [], None, _time(row["created_at"])
    assert at is not None
    for stage in path:
        since, at = at, max(at, moments.get(stage) or at)
        changes.append({"lead_id": row["id"], "from_stage": previous, "to_stage": stage,
                        "changed_at": at, "changed_by_id": None,
                        "reason": "collected" if previous is None else "from the lead's record",
                        "origin": "entry" if previous is None else origin,
                        "days_in_from_stage": None if previous is None
                        else (at - since).total_seconds() / 86_400})
        previous = stage
    return changes


def _insert(connection: Connection, rows: list[dict[str, Any]], whole: bool) -> None:
    """``whole``: the rows are the whole histories of leads that had none."""
    if not rows:
        return
    with histories_at_once(connection, whole):
        connection.exec_driver_sql(_INSERT, [
            (r["lead_id"], r["from_stage"], r["to_stage"],
             r["changed_at"].isoformat(" ", "microseconds"), r["changed_by_id"], r["reason"],
             r["origin"], r["days_in_from_stage"]) for r in rows])


def _births_for_recorded(connection: Connection) -> list[dict[str, Any]]:
    """Leads with changes recorded here but no birth (stores from before it was written)."""
    rule = entry_spec()
    rows: list[dict[str, Any]] = []
    for lead_id, _source, _registration, created in connection.execute(
            text(_LEADS_WITHOUT_BIRTH)):
        at = _time(created)
        # Their recorded history starts where the rep found them: at MQL.
        rows.append({"lead_id": lead_id, "from_stage": None, "to_stage": rule.collected_as,
                     "changed_at": at, "changed_by_id": None, "reason": "collected",
                     "origin": "entry", "days_in_from_stage": None})
        rows.append({"lead_id": lead_id, "from_stage": rule.collected_as,
                     "to_stage": rule.qualified_as, "changed_at": at, "changed_by_id": None,
                     "reason": "from the lead's record", "origin": "inferred",
                     "days_in_from_stage": 0.0})
    return rows


def _earlier_acceptances(connection: Connection, mapping: HandoffMapping) -> None:
    """Before the hand-off mapping was a setting, an acceptance was written as SAL: read it
    as the stage the team's mapping gives an acceptance."""
    if mapping.uses_sal:
        return
    accepted = mapping.accepted[-1]
    connection.execute(text(
        "UPDATE stage_changes SET to_stage = :accepted WHERE to_stage = 'SAL' "
        "AND reason = 'hand-off accepted'"), {"accepted": accepted})
    connection.execute(text(
        "UPDATE stage_changes SET from_stage = :accepted WHERE from_stage = 'SAL'"),
        {"accepted": accepted})


def _fill_days(connection: Connection) -> None:
    """Days in the previous stage for changes written before they were kept."""
    updates: list[dict[str, Any]] = []
    previous: tuple[str | None, datetime | None] = (None, None)
    for change_id, lead_id, at in connection.execute(text(_WITHOUT_DAYS)).all():
        moment = _time(at)
        if previous[0] == lead_id and previous[1] is not None and moment is not None:
            updates.append({"id": change_id,
                            "days": (moment - previous[1]).total_seconds() / 86_400})
        previous = (lead_id, moment)
    if updates:
        connection.execute(text("UPDATE stage_changes SET days_in_from_stage = :days "
                                "WHERE id = :id AND days_in_from_stage IS NULL"), updates)


def backfill(connection: Connection, origin: str = "inferred",
             upgrade_recorded: bool = False) -> int:
    """Write the history of every lead that has none; returns how many changes it wrote.

    ``upgrade_recorded``: also give a birth to leads whose recorded history lacks one, and
    read earlier acceptances through the mapping (what an older store needs, once).
    """
    mapping = _mapping(connection)
    rows: list[dict[str, Any]] = []
    if upgrade_recorded:
        connection.execute(text("UPDATE stage_changes SET origin = 'rep' WHERE origin IS NULL"))
        _earlier_acceptances(connection, mapping)
        rows += _births_for_recorded(connection)
    leads = [dict(r._mapping) for r in connection.execute(text(_LEADS_WITHOUT_HISTORY))]
    if leads:
        qualified = _qualified_at(connection)
        opportunities = _opportunities(connection)
        for lead in leads:
            rows += _history(lead, qualified.get(lead["id"]), opportunities.get(lead["id"]),
                             mapping, origin)
    _insert(connection, rows, whole=not upgrade_recorded)
    if upgrade_recorded:
        _fill_days(connection)
    return len(rows)


_BATCH_WITHOUT_HISTORY = text(_LEADS_WITHOUT_HISTORY + " AND l.id > :after ORDER BY l.id LIMIT :n")
_WITH_HISTORY = text("SELECT DISTINCT lead_id FROM stage_changes WHERE lead_id IN :ids") \
    .bindparams(bindparam("ids", expanding=True))


def next_batch(size: int, held: float) -> int:
    """How many leads the next write takes, after a write of ``size`` that held the lock
    ``held`` seconds."""
    return sized_to_hold(size, held, HOLD_S, MIN_BATCH, MAX_BATCH)


def backfill_in_steps(sessions: sessionmaker[Session], origin: str) -> int:
    """``backfill`` after a pull, in writes that each hold SQLite's write lock about
    ``HOLD_S``: a first pull brings 100,000 leads, and one transaction for all of them held
    the lock for seconds while the rep's saves waited; 200 fixed writes of 500 leads spent
    most of their time committing. Each batch's history is worked out from a read; its write
    leaves out any lead that got a history meanwhile (the rep qualified it), so no lead gets
    two. A crash between batches leaves the rest without history, for the next run. Into a
    store with no history yet (a first pull), the births load as a bulk load
    (``models.store.history_load``)."""
    written, after, size, loading = 0, "", BATCH, False
    pause = getattr(sessions, "pause_after_write", 0.0)
    with sessions() as session:
        connection = session.connection()
        mapping = _mapping(connection)
        qualified = _qualified_at(connection)
        opportunities = _opportunities(connection)
    try:
        while True:
            with sessions() as session:
                leads = [dict(r._mapping) for r in session.connection().execute(
                    _BATCH_WITHOUT_HISTORY, {"after": after, "n": size})]
            if not leads:
                return written
            rows = [change for lead in leads for change in _history(
                lead, qualified.get(lead["id"]), opportunities.get(lead["id"]), mapping,
                origin)]
            ids = [lead["id"] for lead in leads]
            with sessions.begin() as session:
                connection = session.connection()
                began = time.monotonic()
                loading = loading or (not written and history_load.start(session))
                recorded = set(connection.execute(_WITH_HISTORY, {"ids": ids}).scalars())
                rows = [row for row in rows if row["lead_id"] not in recorded]
                _insert(connection, rows, whole=True)
            size = next_batch(len(leads), time.monotonic() - began - pause)
            written += len(rows)
            after = ids[-1]
    finally:
        # Also after a load cut short in an earlier run: its indexes are built here.
        history_load.restore(sessions)


_LATEST = text("SELECT to_stage, changed_at FROM stage_changes WHERE lead_id = :lead "
               "ORDER BY changed_at DESC, id DESC LIMIT 1")


def _moved(latest: str, status_stage: str, mapping: HandoffMapping) -> bool:
    """Whether the CRM's status says the lead went somewhere its history has not: a status
    behind what the history knows (a converted lead whose deal closed) is no move."""
    if status_stage == latest:
        return False
    exits = {s.stage for s in stage_specs() if s.kind == "exit"}
    return latest in exits or status_stage not in path_to(latest, mapping)


def record_crm_moves(connection: Connection, since: datetime | None) -> int:
    """After a pull: leads whose CRM status changed since ``since`` (the pull's starting
    watermark) and now stands for another stage than their history's last get that move,
    at the CRM's time of the change (``crm``), with any step it skipped (``implied``).
    Returns how many leads moved. A first pull (no ``since``) only brings births."""
    if since is None:
        return 0
    mapping = _mapping(connection)
    rows: list[dict[str, Any]] = []
    moved = 0
    bound = since.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    for lead_id, status, modstamp in connection.execute(text(
            "SELECT id, stage, crm_modstamp FROM leads WHERE crm_modstamp > :since"),
            {"since": bound}).all():
        stage = stage_of_crm_status(status)
        latest = connection.execute(_LATEST, {"lead": lead_id}).first()
        if stage is None or latest is None or not _moved(latest[0], stage, mapping):
            continue
        previous, since_at = latest[0], _time(latest[1])
        at = max(_time(modstamp) or datetime.now(UTC).replace(tzinfo=None),
                 since_at or datetime.min)
        for step, origin in [*((s, "implied") for s in skipped_steps(previous, stage,
                                                                        mapping)),
                             (stage, "crm")]:
            rows.append({"lead_id": lead_id, "from_stage": previous, "to_stage": step,
                         "changed_at": at, "changed_by_id": None,
                         "reason": f"status {status} in the CRM", "origin": origin,
                         "days_in_from_stage": (at - since_at).total_seconds() / 86_400
                         if since_at else None})
            previous, since_at = step, at
        moved += 1
    _insert(connection, rows, whole=False)
    return moved
