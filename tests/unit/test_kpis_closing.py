"""Close rates over the SQLs decided in a period, an AE's own waterfall and selling time, on
the hand-counted week of tests/kpi_week.py (its docstring in tests/unit/test_kpis.py) plus:

- Monday 30 November (week W49) Hugo accepts O1, one of the two leads Amelia handed him in
  October (BANT); Wednesday 2 December 10:00 he wins it.
- Amelia's day plan is the team's: clean-up 60, e-mail 180 (40 touches), calls 180 (60
  touches), wrap-up 60 minutes, so 360 selling minutes a working day. In W48 she runs the
  e-mail block Monday 09:00–12:30 (210 min) and the calls block 12:30–15:00 (150 min), her
  clean-up Tuesday 09:00–10:00 (not selling), and starts the calls block Thursday 11:00,
  still running at noon (60 min): 420 minutes done of 4 × 360 = 1,440 planned by Thursday
  noon (29 %). Ben and Hugo ran no block: 0 of 1,440 each; the team 420 of 4,320 (10 %).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from models.close_draft import CloseDraft, LineItem, NewContact
from models.closing import close_opportunity
from models.dayplan import end_block, start_block
from models.handoffs import accept, opportunity_criteria
from models.kpis import close_rates
from models.kpis.ae_waterfall import ae_waterfall
from models.kpis.periods import parse_week
from models.kpis.selling_time import selling_time
from models.kpis.sheet import compute_sheet
from models.store import Product
from models.store.open import Store
from tests.kpi_week import THURSDAY, TZ, WEEK, at, build_week

W49 = parse_week("2026-W49", TZ)
WEDNESDAY_W49 = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


@pytest.fixture
def week(store: Store) -> dict[str, Any]:
    return build_week(store)


def _win_o1(store: Store, week: dict[str, Any]) -> None:
    confirmed = tuple(key for key, _label in opportunity_criteria())
    deal = accept(store.sessions, week["o1"], week["hugo"], at(30, 9), confirmed)
    with store.sessions.begin() as session:
        seat = Product(name="RepDesk Pro seat", code="RD-PRO", list_price=1200.0)
        session.add(seat)
        session.flush()
        seat_id = seat.id
    won = CloseDraft(
        outcome="won", reason_code="WIN-FEATURES", lines=(LineItem(seat_id, 10, 1200.0),),
        contract_term_months=12, support_contract="Premium",
        new_billing_contact=NewContact("Ines", "Moreau", "ines@example.com"),
        payment_terms="Net 30",
        new_technical_contacts=(NewContact("Theo", "Petit", "theo@example.com"),))
    close_opportunity(store.sessions, deal, won, week["hugo"], at(2, 10, month=12))


def test_the_close_rate_counts_the_sqls_decided_in_the_period(store: Store,
                                                              week: dict) -> None:
    # W48: L1 (BANT, Hugo's) was lost on Thursday: 1 decided, 0 won.
    decided = close_rates.decided_sqls(store.sessions, WEEK)
    [bant] = close_rates.framework_close_rates(decided)
    assert (bant.framework, bant.sqls, bant.won, bant.verdict) == ("BANT", 1, 0, "below")
    # W49: O1 entered SQL in October and is won now; counted over the SQLs that entered W49
    # (none) the rate would be empty, over those decided it is 1 of 1.
    _win_o1(store, week)
    decided = close_rates.decided_sqls(store.sessions, W49)
    [bant] = close_rates.framework_close_rates(decided)
    assert (bant.sqls, bant.won, bant.rate, bant.verdict) == (1, 1, 1.0, "above")
    assert close_rates.ae_close_rates(decided) == {week["hugo"]: (1, 1)}
    sheet = compute_sheet(store.sessions, W49, WEDNESDAY_W49)
    hugo = next(r for r in sheet.reps if r.id == week["hugo"])
    assert (hugo.sql_close_rate, hugo.needs_coaching) == (1.0, False)
    assert sheet.close_rates == [{"framework": "BANT", "sqls": 1, "won": 1, "rate": 1.0,
                                  "band": [0.25, 0.35], "verdict": "above"}]
    # Amelia's sheet counts the leads she owns; Ben's has none decided.
    assert compute_sheet(store.sessions, W49, WEDNESDAY_W49, week["amelia"]).close_rates[0][
        "won"] == 1
    assert compute_sheet(store.sessions, W49, WEDNESDAY_W49, week["ben"]).close_rates == []


def test_an_ae_s_waterfall_counts_the_leads_handed_to_them(store: Store, week: dict) -> None:
    steps = {(w["from"], w["to"]): w for w in ae_waterfall(store.sessions, WEEK, week["hugo"])}
    # W48: L1 handed (SQL) Wednesday 10:00, accepted (Opportunity) 12:00, lost Thursday 10:00.
    assert [(k, w["entered"], w["converted"]) for k, w in steps.items()] == [
        (("SQL", "Opportunity"), 1, 1), (("Opportunity", "Closed Won"), 1, 0),
        (("Opportunity", "Closed Lost"), 1, 1), (("SQL", "nurture"), 1, 0)]
    # Two hours in SQL (0.08 days), 22 hours in Opportunity (0.92 days).
    assert steps[("SQL", "Opportunity")]["median_days_in_from"] == 0.08
    assert steps[("Opportunity", "Closed Lost")]["median_days_in_from"] == 0.92
    # The AE's dashboard shows theirs; the team's and an SDR's stay the funnel's.
    sheet = compute_sheet(store.sessions, WEEK, THURSDAY, week["hugo"])
    assert sheet.waterfall == list(steps.values())
    assert sheet.team["sql_to_opportunity"] == 1.0  # his own: he owns no leads
    team = compute_sheet(store.sessions, WEEK, THURSDAY)
    assert ("MCL", "MQL") in {(w["from"], w["to"]) for w in team.waterfall}
    # W49: O1 (handed in October) entered Opportunity Monday and was won Wednesday.
    _win_o1(store, week)
    steps = {(w["from"], w["to"]): w for w in ae_waterfall(store.sessions, W49, week["hugo"])}
    assert (steps[("SQL", "Opportunity")]["entered"],
            steps[("Opportunity", "Closed Won")]["entered"],
            steps[("Opportunity", "Closed Won")]["converted"],
            steps[("Opportunity", "Closed Won")]["rate"]) == (0, 1, 1, 1.0)


def test_selling_time_is_the_selling_blocks_run_against_those_planned(
        store: Store, week: dict) -> None:
    amelia = week["amelia"]
    monday, tuesday, thursday = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 26)
    start_block(store.sessions, amelia, monday, 2, at(23, 9))
    start_block(store.sessions, amelia, monday, 3, datetime(2026, 11, 23, 12, 30, tzinfo=UTC))
    end_block(store.sessions, amelia, monday, 3, at(23, 15))
    start_block(store.sessions, amelia, tuesday, 1, at(24, 9))
    end_block(store.sessions, amelia, tuesday, 1, at(24, 10))
    start_block(store.sessions, amelia, thursday, 3, at(26, 11))
    reps = [amelia, week["ben"], week["hugo"]]
    figures = selling_time(store.sessions, WEEK, THURSDAY, reps)
    assert (figures[amelia].planned_minutes, figures[amelia].done_minutes) == (1440, 420)
    assert (figures[week["ben"]].planned_minutes, figures[week["ben"]].done_minutes) == (1440, 0)
    sheet = compute_sheet(store.sessions, WEEK, THURSDAY)
    mine = next(r for r in sheet.reps if r.id == amelia)
    assert (mine.selling_done_minutes, mine.selling_share) == (420, 0.2917)
    assert sheet.team["selling_time"] == {"planned_minutes": 4320, "done_minutes": 420,
                                          "share": 0.0972}
