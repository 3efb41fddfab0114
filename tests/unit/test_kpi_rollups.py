"""The counts the store keeps for the KPIs (models.store.kpi_rollups) follow every write to
the history they summarise: touches logged, moved, reassigned and removed, leads
reassigned, stage history removed. Each check compares them with the history itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from models.kpis import activity, leads
from models.kpis.periods import parse_week
from models.store import Activity, ActivityHour, Lead, MqlEntry, StageChange
from models.store.open import Store
from models.touches import log_touch
from tests.kpi_week import TZ, WEEK, at, build_week

FROM_HISTORY = text("""
    SELECT substr(occurred_at, 1, 13), owner_id, SUM(kind = 'call'),
           SUM(kind = 'call' AND coalesce(outcome = 'connected', 0)), COUNT(*)
    FROM activities WHERE kind IN ('call', 'email') AND owner_id IS NOT NULL
    GROUP BY 1, 2""")


@pytest.fixture
def week(store: Store) -> dict[str, Any]:
    return build_week(store)


def _hours(store: Store) -> set[tuple[Any, ...]]:
    with store.sessions() as session:
        kept = {tuple(r) for r in session.execute(
            select(ActivityHour.hour, ActivityHour.owner_id, ActivityHour.calls,
                   ActivityHour.connects, ActivityHour.touches)
            .where(ActivityHour.touches > 0))}
        history = {tuple(r) for r in session.execute(FROM_HISTORY)}
    assert kept == history
    return kept


def _entries(store: Store) -> list[tuple[Any, ...]]:
    with store.sessions() as session:
        kept = sorted(tuple(r) for r in session.execute(
            select(MqlEntry.lead_id, MqlEntry.owner_id, MqlEntry.entered_at,
                   MqlEntry.first_touch_at)))
        history = []
        for lead_id, at_ in session.execute(select(StageChange.lead_id, StageChange.changed_at)
                                            .where(StageChange.to_stage == "MQL")):
            first = session.scalar(select(Activity.occurred_at).where(
                Activity.lead_id == lead_id, Activity.occurred_at >= at_,
                Activity.kind.in_(("call", "email"))).order_by(Activity.occurred_at).limit(1))
            history.append((lead_id, session.get(Lead, lead_id).owner_id, at_, first))
    assert kept == sorted(history)
    return kept


def test_hourly_counts_follow_touches_logged_moved_and_removed(store: Store,
                                                               week: dict) -> None:
    # Amelia: calls at 23 Nov 10:00 (connected) and 24 Nov 12:00, an e-mail 23 Nov 13:00;
    # Ben: three calls on 23 Nov at 10, 11 and 12.
    assert ("2026-11-23 10", week["amelia"], 1, 1, 1) in _hours(store)
    assert activity.calls(store.sessions, WEEK) == {week["amelia"]: 2, week["ben"]: 3}
    with store.sessions.begin() as session:
        moved = session.scalar(select(Activity.id).where(Activity.owner_id == week["ben"])
                               .order_by(Activity.occurred_at).limit(1))
        session.execute(update(Activity).where(Activity.id == moved).values(
            owner_id=week["amelia"], occurred_at=at(30, 9)))  # reassigned into W49
        session.execute(delete(Activity).where(Activity.lead_id == week["l2"]))
    _hours(store)
    assert activity.calls(store.sessions, WEEK) == {week["amelia"]: 1, week["ben"]: 2}
    assert activity.calls(store.sessions, parse_week("2026-W49", TZ)) == {week["amelia"]: 1}


def test_mql_entries_keep_their_first_touch_and_rep(store: Store, week: dict) -> None:
    _entries(store)
    # L4 was never touched; a touch now gives it 5 days 3 hours (123 h) from its entry.
    log_touch(store.sessions, week["l4"], week["amelia"], "call", at(28, 12), "connected")
    hours = dict(leads.response_times(store.sessions, WEEK))[week["amelia"]]
    assert (hours.entered, hours.touched, hours.within) == (4, 4, 2)
    _entries(store)
    # L1's only touch removed: no first touch; L5 moves to Amelia.
    with store.sessions.begin() as session:
        session.execute(delete(Activity).where(Activity.lead_id == week["l1"]))
        session.execute(update(Lead).where(Lead.id == week["l5"]).values(
            owner_id=week["amelia"]))
    _entries(store)
    assert leads.mqls(store.sessions, WEEK) == {week["amelia"]: 5}
    assert leads.response_times(store.sessions, WEEK)[week["amelia"]].touched == 4
    # Stage history removed with its lead's entry.
    with store.sessions.begin() as session:
        session.execute(delete(StageChange).where(StageChange.lead_id == week["l5"],
                                                  StageChange.to_stage == "MQL"))
    assert week["l5"] not in {lead for lead, *_rest in _entries(store)}
    # A touch before the entry is not its first touch.
    log_touch(store.sessions, week["l2"], week["amelia"], "call", at(23, 9) - timedelta(
        hours=1), "no answer")
    _entries(store)
