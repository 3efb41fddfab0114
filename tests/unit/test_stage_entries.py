"""The stage entries the store keeps for the waterfall (models.store.kpi_rollups.StageEntry)
follow every write to the stage history and to the leads: changes recorded through the
services, dated before others, moved, handed to another lead by a merge, removed, loaded in
bulk, and leads reassigned or removed. Each check works the entries out again from the history
itself and compares."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from models.demo.load import load_demo_data
from models.funnel_report import funnel_report
from models.hygiene.merge import merge_leads
from models.store import Activity, Lead, MqlEntry, StageChange, StageEntry
from models.store.bulk import insert_rows
from models.store.open import Store, open_store
from tests.kpi_week import WEEK, at, build_week

Entry = tuple[int, str, str | None, str, datetime, datetime | None, frozenset[str]]


def _from_history(store: Store) -> set[Entry]:
    """Each change: its lead's previous entry into the same stage and the stages after it,
    in the order of the lead's path (changed_at, then id)."""
    with store.sessions() as session:
        owners = dict(session.execute(select(Lead.id, Lead.owner_id)).tuples().all())
        paths: dict[str, list[StageChange]] = defaultdict(list)
        for change in session.scalars(select(StageChange).order_by(
                StageChange.lead_id, StageChange.changed_at, StageChange.id)):
            paths[change.lead_id].append(change)
    entries = set()
    for lead_id, path in paths.items():
        for n, change in enumerate(path):
            before = [c.changed_at for c in path[:n] if c.to_stage == change.to_stage]
            entries.add((change.id, lead_id, owners.get(lead_id), change.to_stage,
                         change.changed_at, before[-1] if before else None,
                         frozenset(c.to_stage for c in path[n + 1:])))
    return entries


def _kept(store: Store) -> set[Entry]:
    with store.sessions() as session:
        rows = session.execute(select(
            StageEntry.change_id, StageEntry.lead_id, StageEntry.owner_id, StageEntry.stage,
            StageEntry.entered_at, StageEntry.previous_at, StageEntry.later)).tuples()
        return {(*row[:6], frozenset(filter(None, row[6].split(",")))) for row in rows}


def _mql_previous(store: Store) -> None:
    """Each MQL entry's previous entry into MQL, as the history has it."""
    with store.sessions() as session:
        kept = [tuple(row) for row in session.execute(select(
            MqlEntry.lead_id, MqlEntry.entered_at, MqlEntry.previous_at))]
        entered: dict[str, list[datetime]] = defaultdict(list)
        for lead_id, at_ in session.execute(select(StageChange.lead_id, StageChange.changed_at)
                                            .where(StageChange.to_stage == "MQL")):
            entered[lead_id].append(at_)
    history = [(lead_id, at_, moments[n - 1] if n else None)
               for lead_id, moments in entered.items()
               for n, at_ in enumerate(sorted(moments))]
    assert sorted(kept, key=repr) == sorted(history, key=repr)


def _check(store: Store) -> set[Entry]:
    kept = _kept(store)
    assert kept == _from_history(store)
    _mql_previous(store)
    return kept


@pytest.fixture
def week(store: Store) -> dict[str, Any]:
    return build_week(store)


def test_entries_follow_changes_recorded_moved_merged_and_removed(store: Store,
                                                                  week: dict) -> None:
    kept = _check(store)
    # L1 went MCL → MQL → SQL → Opportunity → Closed Lost: its MQL entry knows what came after.
    mql = next(e for e in kept if e[1] == week["l1"] and e[3] == "MQL")
    assert {"SQL", "Opportunity", "Closed Lost"} <= mql[6]
    # A change dated before the lead's others (a history filled in later).
    with store.sessions.begin() as session:
        session.add(StageChange(lead_id=week["l2"], from_stage=None, to_stage="nurture",
                                changed_at=at(23, 8)))
        session.add(StageChange(lead_id=week["l2"], from_stage="nurture", to_stage="MQL",
                                changed_at=at(23, 9) - timedelta(minutes=30)))
    kept = _check(store)
    assert next(e for e in kept if e[1] == week["l2"] and e[3] == "nurture")[6] >= {"MQL"}
    # A change moved to another moment, one moved to another lead, one removed.
    with store.sessions.begin() as session:
        first = session.scalars(select(StageChange).where(
            StageChange.lead_id == week["l1"]).order_by(StageChange.changed_at)).first()
        assert first is not None
        session.execute(update(StageChange).where(StageChange.id == first.id).values(
            changed_at=at(30, 9)))
        session.execute(update(StageChange).where(
            StageChange.lead_id == week["l4"], StageChange.to_stage == "MQL").values(
            lead_id=week["l5"]))
        # L2's earlier MQL entry and nurture go; L1's SQL entry in the middle of its path.
        session.execute(delete(StageChange).where(
            StageChange.lead_id == week["l2"], StageChange.changed_at < at(23, 9)))
        session.execute(delete(StageChange).where(StageChange.lead_id == week["l1"],
                                                  StageChange.to_stage == "SQL"))
    kept = _check(store)
    assert "SQL" not in next(e for e in kept if e[1] == week["l1"] and e[3] == "MQL")[6]
    assert next(e for e in kept if e[1] == week["l2"] and e[3] == "MQL")[5] is None
    # A lead reassigned, two merged (the copy's history handed to the survivor), one removed.
    with store.sessions.begin() as session:
        session.execute(update(Lead).where(Lead.id == week["l5"]).values(
            owner_id=week["amelia"]))
    merge_leads(store.sessions, week["l4"], [week["l5"]], week["amelia"], at(27, 9))
    with store.sessions.begin() as session:
        session.execute(delete(Activity).where(Activity.lead_id == week["l2"]))
        session.delete(session.get(Lead, week["l2"]))  # its history goes with it
    kept = _check(store)
    assert week["l2"] not in {e[1] for e in kept}
    assert {e[2] for e in kept if e[1] == week["l4"]} == {week["amelia"]}


def test_entries_follow_a_bulk_load_in_any_order(store: Store, week: dict) -> None:
    # Rows loaded the way a first pull writes them: newest first, and one before the rest.
    rows = [{"lead_id": week["l4"], "from_stage": a, "to_stage": b, "changed_at": when}
            for a, b, when in (("SQL", "nurture", at(29, 9)), ("MQL", "SQL", at(28, 9)),
                               ("nurture", "MQL", at(30, 9)), (None, "MCL", at(1, 9)))]
    with store.sessions.begin() as session:
        insert_rows(session, StageChange.__table__, rows)
    kept = _check(store)
    mql = sorted((e for e in kept if e[1] == week["l4"] and e[3] == "MQL"),
                 key=lambda e: e[4])
    assert mql[-1][5] == mql[-2][4]  # its entry in the 30th follows one in the 23rd


def test_the_waterfall_read_from_the_entries_counts_a_lead_s_first_entry_in_the_period(
        store: Store, week: dict) -> None:
    # L2 enters MQL a second time in the week, and SQL after that: one lead, converted.
    before = funnel_report(store.sessions, WEEK.start, WEEK.end).conversion("MQL", "SQL")
    assert before is not None
    with store.sessions.begin() as session:
        for stage, hour in (("nurture", 9), ("MQL", 10), ("SQL", 11)):
            session.add(StageChange(lead_id=week["l2"], from_stage=None, to_stage=stage,
                                    changed_at=at(27, hour)))
    after = funnel_report(store.sessions, WEEK.start, WEEK.end).conversion("MQL", "SQL")
    assert after is not None
    assert (after.entered, after.converted) == (before.entered, before.converted + 1)
    _check(store)


def test_a_demo_build_keeps_its_entries(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    try:
        load_demo_data(store.engine, 300, 150, seed=11, now=at(30, 12), past=True)
        assert len(_check(store)) > 300
    finally:
        store.close()
