"""The Lead Velocity Rate of a week, a month and a quarter on hand-counted SQL entries.

Leads entering SQL (team, Europe/London): August 2, September 3, October 4, November 6,
1 December 1. So:
- a quarter under way (Q4 on 1 December 12:00) reads November against October: (6−4)/4 = +50 %;
- Q4 in its first month (15 October), no month of it complete yet, reads the last complete
  one, September, against August: (3−2)/2 = +50 %;
- Q4 once over (5 January 2027) reads December against November: (1−6)/6 = −83.3 %;
- Q3 seen on 1 December reads September against August: +50 %;
- the week of 1 December (W49, ends in December) reads December against November: −83.3 %,
  as DOMAIN.md defines it ("this month − last month"), and says that December is only a day
  old ("Dec so far vs Nov"); November's month view, seen the same day, reads a complete
  November against October: +50 %, "Nov vs Oct".
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from models.kpis.leads import lead_velocity_rate
from models.kpis.periods import month_of, period_of, quarter_of, week_of
from models.kpis.sheet import compute_figures
from models.kpis.velocity import lvr_label
from models.store import Lead, StageChange
from models.store.open import Store

TZ = "Europe/London"
ENTERED = {(2026, 8): 2, (2026, 9): 3, (2026, 10): 4, (2026, 11): 6, (2026, 12): 1}


def _sql_entries(store: Store) -> None:
    with store.sessions.begin() as session:
        for (year, month), count in ENTERED.items():
            for number in range(count):
                lead = Lead(first_name="Lead", last_name=f"{month}-{number}",
                            company="Acme", stage="SQL",
                            created_at=datetime(year, month, 1, tzinfo=UTC))
                session.add(lead)
                session.flush()
                session.add(StageChange(lead_id=lead.id, from_stage="MQL", to_stage="SQL",
                                        changed_at=datetime(year, month, 1 + number, 10,
                                                            tzinfo=UTC)))


def test_a_quarter_reads_its_last_complete_month(store: Store) -> None:
    _sql_entries(store)
    first_december = datetime(2026, 12, 1, 12, tzinfo=UTC)
    q4 = quarter_of(date(2026, 12, 1), TZ)
    assert lead_velocity_rate(store.sessions, q4, None, first_december) == 50.0
    assert lvr_label(q4, first_december) == "2026-11 against 2026-10"
    mid_october = datetime(2026, 10, 15, 12, tzinfo=UTC)
    assert lead_velocity_rate(store.sessions, q4, None, mid_october) == 50.0
    assert lvr_label(q4, mid_october) == "2026-09 against 2026-08"
    after = datetime(2027, 1, 5, 12, tzinfo=UTC)
    assert round(lead_velocity_rate(store.sessions, q4, None, after) or 0, 1) == -83.3
    q3 = quarter_of(date(2026, 8, 1), TZ)
    assert lead_velocity_rate(store.sessions, q3, None, first_december) == 50.0


def test_a_week_reads_the_month_it_ends_in(store: Store) -> None:
    _sql_entries(store)
    week = week_of(date(2026, 12, 1), TZ)
    assert round(lead_velocity_rate(store.sessions, week) or 0, 1) == -83.3


def test_the_quarter_tile_says_which_months(store: Store) -> None:
    _sql_entries(store)
    first_december = datetime(2026, 12, 1, 12, tzinfo=UTC)
    sheet = compute_figures(store.sessions, period_of("quarter", first_december, TZ),
                            first_december)
    assert sheet.team["lvr"] == 50.0
    assert sheet.team["lvr_months"] == "2026-11 against 2026-10"


def test_a_week_says_its_month_is_still_under_way(store: Store) -> None:
    _sql_entries(store)
    first_december = datetime(2026, 12, 1, 12, tzinfo=UTC)
    sheet = compute_figures(store.sessions, week_of(date(2026, 12, 1), TZ), first_december)
    assert sheet.team["lvr"] == -83.3  # (1 − 6) / 6
    assert sheet.team["lvr_compared"] == "Dec so far vs Nov"
    assert sheet.team["lvr_months"] == "2026-12 so far against 2026-11"
    november = compute_figures(store.sessions, month_of(date(2026, 11, 1), TZ), first_december)
    assert november.team["lvr"] == 50.0  # (6 − 4) / 4
    assert november.team["lvr_compared"] == "Nov vs Oct"
    quarter = compute_figures(store.sessions, quarter_of(date(2026, 12, 1), TZ), first_december)
    assert quarter.team["lvr_compared"] == "Nov vs Oct"  # its last complete month
