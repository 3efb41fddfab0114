"""The demo tells the truth on the Dashboard: nothing dated after its "now", no deals piled up
at now for this week's pipeline, every disqualification with its reason code, and selling
time from block runs the reps actually ran."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.demo.load import load_demo_data
from models.kpis.periods import period_of, previous, team_timezone
from models.kpis.sheet import compute_sheet
from models.store import (
    Activity,
    BlockRun,
    Lead,
    Opportunity,
    Qualification,
    StageChange,
)
from models.store.open import Store, open_store
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder: Path = tmp_path_factory.mktemp("truth")
    store = open_store(folder)
    load_demo_data(store.engine, leads=1500, accounts=600, seed=4, now=NOW, past=True)
    yield store
    store.close()


def test_nothing_is_dated_after_now(demo: Store) -> None:
    dated = ((Lead.created_at,), (Activity.occurred_at,), (Opportunity.created_at,),
             (Opportunity.closed_at,), (StageChange.changed_at,),
             (Qualification.qualified_at,), (BlockRun.started_at,), (BlockRun.ended_at,))
    with demo.sessions() as session:
        for (column,) in dated:
            latest = session.scalar(select(func.max(column)))
            assert latest is not None and latest <= NOW, column


def test_this_week_s_deals_are_not_piled_up_at_now(demo: Store) -> None:
    week = period_of("week", NOW, team_timezone(demo.sessions))
    with demo.sessions() as session:
        at_now = session.scalar(select(func.count()).select_from(Opportunity)
                                .where(Opportunity.created_at >= NOW - timedelta(minutes=1)))
        per_week = [session.scalar(select(func.count()).select_from(Opportunity).where(
            Opportunity.created_at >= p.start, Opportunity.created_at < p.end))
            for p in (week, previous(week))]
    assert at_now == 0
    # Tuesday afternoon: this week so far has fewer deals than the whole week before.
    assert per_week[0] < per_week[1]


def test_every_disqualification_has_its_reason_code(demo: Store) -> None:
    with demo.sessions() as session:
        disqualified = session.scalar(select(func.count()).select_from(Lead)
                                      .where(Lead.stage == "disqualified"))
        filed = session.scalar(select(func.count(func.distinct(Qualification.lead_id)))
                               .join(Lead, Lead.id == Qualification.lead_id)
                               .where(Lead.stage == "disqualified",
                                      Qualification.category == "D"))
    assert disqualified and filed == disqualified
    quarter = period_of("quarter", NOW, team_timezone(demo.sessions))
    sheet = compute_sheet(demo.sessions, quarter, NOW)
    bars = sheet.pareto["disqualified"]
    assert bars and all(bar.name.startswith("D-") for bar in bars)


def test_selling_time_comes_from_the_block_runs(demo: Store) -> None:
    # Blocks started late, cut short or skipped: most of the plan, never all of it. A week
    # under way counts today's whole plan but its blocks only as far as they have run.
    for kind, least in (("week", 0.3), ("quarter", 0.5)):
        sheet = compute_sheet(demo.sessions, period_of(kind, NOW, team_timezone(demo.sessions)),
                              NOW)
        share = sheet.team["selling_share"]
        assert share is not None and least < share < 0.95, (kind, share)
