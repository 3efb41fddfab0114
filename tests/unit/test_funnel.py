"""The funnel from a lead's birth: entry stages, the hand-off mapping, the waterfall report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models.funnel import birth_changes, conversion
from models.funnel_config import set_handoff_mapping
from models.funnel_report import funnel_report
from models.handoffs import accept, opportunity_criteria
from models.imports.creating import write_leads
from models.imports.fields import PersonEntry
from models.imports.new_lead import create_lead
from models.qualification import QualificationDraft, frameworks, save_qualification
from models.store import Lead, StageChange, User
from models.store.open import Store

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.fixture
def team(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        sdr = User(name="Amelia Hughes", email="amelia@example.com", role="SDR-inbound",
                   region="EMEA")
        other = User(name="Ben Ortiz", email="ben@example.com", role="SDR-inbound",
                     region="EMEA")
        ae = User(name="Hugo Martin", email="hugo@example.com", role="AE", region="EMEA")
        session.add_all([sdr, other, ae])
        session.flush()
        return {"sdr": sdr.id, "other": other.id, "ae": ae.id}


def _import(store: Store, owner: str, count: int, at: datetime, prefix: str = "L") -> list[str]:
    entries = [PersonEntry(first_name="Ana", last_name=f"{prefix}{n:03d}",
                           company=f"{prefix} Company {n}", email=f"{prefix.lower()}{n}@x.com")
               for n in range(count)]
    return write_leads(store.sessions, entries, owner, "Import", at)


def _qualify(store: Store, lead_id: str, team: dict[str, str], at: datetime,
             category: str = "A") -> None:
    answers = {criterion: "yes" for criterion in frameworks()["BANT"]}
    reason = {"A": "A-BUDGET-APPROVED", "C": "C-RESEARCHING", "D": "D-NO-FIT"}[category]
    draft = QualificationDraft(category=category, reason_code=reason, framework="BANT",
                               answers=answers, next_step="Demo on Thursday",
                               handoff_to_id=team["ae"],
                               follow_up_on=date(2027, 3, 1) if category == "C" else None)
    save_qualification(store.sessions, lead_id, draft, team["sdr"], at)


def test_ten_imported_mqls_of_which_three_are_qualified_convert_three_in_ten(
        store: Store, team: dict[str, str]) -> None:
    leads = _import(store, team["sdr"], 10, NOW)
    for lead_id in leads[:3]:
        _qualify(store, lead_id, team, NOW + timedelta(days=2))
    _qualify(store, leads[3], team, NOW + timedelta(days=2), category="D")
    assert conversion(store.sessions, "MQL", "SQL") == (10, 3)
    report = funnel_report(store.sessions)
    mql_sql = report.conversion("MQL", "SQL")
    assert mql_sql is not None and (mql_sql.entered, mql_sql.converted) == (10, 3)
    assert mql_sql.rate == pytest.approx(0.3)
    stages = {s.stage: s for s in report.stages}
    assert stages["MQL"].entered == 10 and stages["disqualified"].entered == 1
    # The three qualified and the disqualified one left MQL after two days.
    assert stages["MQL"].median_days_in_stage == 2.0


def test_a_lead_is_born_with_its_history_whoever_typed_it(
        store: Store, team: dict[str, str]) -> None:
    made = create_lead(store.sessions, {"first_name": "Chloé", "last_name": "Durand",
                                        "company": "Lyon Freight"}, team["sdr"], NOW)
    with store.sessions() as session:
        lead = session.get(Lead, made.lead_id)
        history = session.execute(
            select(StageChange.from_stage, StageChange.to_stage, StageChange.changed_at,
                   StageChange.changed_by_id, StageChange.origin)
            .where(StageChange.lead_id == made.lead_id).order_by(StageChange.id)).all()
    assert lead is not None and lead.stage == "MQL"
    assert history == [(None, "MCL", NOW, team["sdr"], "entry"),
                       ("MCL", "MQL", NOW, team["sdr"], "rule")]


def test_marketing_s_rule_leaves_a_raw_inquiry_at_mcl() -> None:
    raw = birth_changes("x", {"channel": "crm", "source": "Web", "registration": {}}, NOW, None)
    trial = birth_changes("y", {"channel": "crm", "source": "Trial"}, NOW, None)
    assert [c.to_stage for c in raw] == ["MCL"]
    assert [c.to_stage for c in trial] == ["MCL", "MQL"]


def test_a_move_that_skips_a_step_records_the_step_too(
        store: Store, team: dict[str, str]) -> None:
    [lead_id] = _import(store, team["sdr"], 1, NOW)
    with store.sessions.begin() as session:
        # A raw inquiry (say, pulled at MCL) that the SDR qualifies straight away.
        session.execute(StageChange.__table__.delete().where(
            StageChange.to_stage == "MQL"))
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.stage = "MCL"
    _qualify(store, lead_id, team, NOW + timedelta(hours=1))
    with store.sessions() as session:
        moves = session.execute(select(StageChange.to_stage, StageChange.origin)
                                .order_by(StageChange.id)).all()
    assert moves == [("MCL", "entry"), ("MQL", "implied"), ("SQL", "rep")]


def test_with_sal_as_its_own_stage_the_ae_s_acceptance_makes_the_sql(
        store: Store, team: dict[str, str]) -> None:
    set_handoff_mapping(store.sessions, "sal-before-sql")
    [lead_id] = _import(store, team["sdr"], 1, NOW)
    _qualify(store, lead_id, team, NOW + timedelta(days=1))
    accept(store.sessions, lead_id, team["ae"], NOW + timedelta(days=2),
           [key for key, _label in opportunity_criteria()])
    with store.sessions() as session:
        moves = session.scalars(select(StageChange.to_stage).order_by(StageChange.id)).all()
        lead = session.get(Lead, lead_id)
    assert moves == ["MCL", "MQL", "SAL", "SQL", "Opportunity"]
    assert lead is not None and lead.stage == "converted"
    report = funnel_report(store.sessions)
    assert [s.stage for s in report.stages][:5] == ["MCL", "MQL", "SAL", "SQL", "Opportunity"]
    # Every step went on to the next, the rep's view (read lead by lead) as the team's.
    for who in (None, [team["sdr"]]):
        report = funnel_report(store.sessions, None, None, who)
        assert [(c.entered, c.converted) for c in report.conversions[:4]] == [(1, 1)] * 4
    with pytest.raises(ValueError, match="Unknown hand-off mapping"):
        set_handoff_mapping(store.sessions, "sal-after-sql")


def test_the_report_counts_one_rep_and_one_period(store: Store, team: dict[str, str]) -> None:
    _import(store, team["sdr"], 4, NOW - timedelta(days=40), prefix="Old")
    mine = _import(store, team["sdr"], 3, NOW, prefix="New")
    _import(store, team["other"], 5, NOW, prefix="Ben")
    _qualify(store, mine[0], team, NOW + timedelta(days=1))
    since = NOW - timedelta(days=7)
    report = funnel_report(store.sessions, since, None, [team["sdr"]])
    mql = report.conversion("MQL", "SQL")
    assert mql is not None and (mql.entered, mql.converted) == (3, 1)
    assert funnel_report(store.sessions, since, None, None).stages[1].entered == 8
    assert funnel_report(store.sessions, None, since, None).stages[1].entered == 4
    rates = {r.framework: r for r in report.close_rates}
    assert rates["BANT"].sqls == 1 and rates["BANT"].band == (0.25, 0.35)
    assert rates["BANT"].won == 0 and rates["BANT"].verdict == "below"
