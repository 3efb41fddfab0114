"""Filing a lead: every category and framework, and what each outcome does to the funnel."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models.funnel import conversion
from models.handoffs import HandoffError, accept, overdue_for_sdr, pending_for_ae, reject
from models.leads import LeadDirectory
from models.qualification import (
    QualificationDraft,
    QualificationError,
    frameworks,
    known_answers,
    qualification_context,
    save_qualification,
)
from models.store import Lead, Opportunity, OutboxEntry, Qualification, Setting, StageChange, User
from models.store.open import Store

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.fixture
def people(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        sdr = User(name="Amelia Hughes", role="SDR-inbound", timezone="Europe/London",
                   region="EMEA")
        ae_emea = User(name="Hugo Martin", role="AE", timezone="Europe/Paris", region="EMEA")
        ae_us = User(name="Dana Scott", role="AE", timezone="America/New_York",
                     region="Americas")
        session.add_all([sdr, ae_emea, ae_us])
        session.flush()
        session.add(Lead(
            id="lead", first_name="Chloé", last_name="Durand", company="Lyon Freight",
            country="FR", stage="MQL", owner_id=sdr.id, created_at=NOW,
            registration={"Budget": "Approved", "Use case": "Replace spreadsheets"}))
    return {"sdr": sdr.id, "ae": ae_emea.id, "ae_us": ae_us.id}


def _complete(category: str, framework: str, ae: str | None,
              **changes: Any) -> QualificationDraft:
    answers = {criterion: f"{criterion} answered" for criterion in frameworks()[framework]}
    reason = {"A": "A-BUDGET-APPROVED", "B": "B-NEXT-BUDGET", "C": "C-RESEARCHING",
              "D": "D-NO-FIT"}[category]
    fields: dict[str, Any] = dict(
        category=category, reason_code=reason, framework=framework, answers=answers,
        next_step="Demo with the CIO on Thursday", handoff_to_id=ae,
        follow_up_on=date(2027, 2, 1) if category == "C" else None)
    fields.update(changes)
    return QualificationDraft(**fields)


def _stage(store: Store) -> str:
    with store.sessions() as session:
        lead = session.get(Lead, "lead")
        assert lead is not None
        return lead.stage


@pytest.mark.parametrize("framework", ["BANT", "ANUM", "AN"])
@pytest.mark.parametrize(("category", "stage"), [
    ("A", "SQL"), ("B", "SQL"), ("C", "nurture"), ("D", "disqualified")])
def test_each_category_and_framework_files_the_lead(store: Store, people: dict, framework: str,
                                                    category: str, stage: str) -> None:
    saved = save_qualification(store.sessions, "lead",
                               _complete(category, framework, people["ae"]), people["sdr"], NOW)
    assert saved.stage == stage == _stage(store)
    with store.sessions() as session:
        record = session.scalars(select(Qualification)).one()
        change = session.scalars(select(StageChange)).one()
        lead = session.get(Lead, "lead")
        assert lead is not None
    assert record.framework == framework and set(record.answers) == set(frameworks()[framework])
    assert (change.from_stage, change.to_stage, change.changed_by_id, change.reason) == (
        "MQL", stage, people["sdr"], record.reason_code)
    if category in "AB":
        assert lead.handoff_due_at == NOW + timedelta(hours=48)
        assert (lead.handoff_state, lead.handoff_to_id) == ("pending", people["ae"])
    else:
        assert lead.handoff_state is None
    if category == "C":
        assert lead.follow_up_on == date(2027, 2, 1)


@pytest.mark.parametrize(("category", "changes", "field"), [
    ("A", {"answers": {}}, "answer:Budget"),
    ("A", {"next_step": " "}, "next_step"),
    ("B", {"handoff_to_id": None}, "handoff_to_id"),
    ("A", {"reason_code": None}, "reason_code"),
    ("A", {"reason_code": "D-NO-FIT"}, "reason_code"),
    ("C", {"follow_up_on": None}, "follow_up_on"),
    ("C", {"follow_up_on": date(2026, 11, 24)}, "follow_up_on"),
    ("D", {"category": None}, "category"),
    ("D", {"framework": "MEDDIC"}, "framework"),
])
def test_every_required_field_is_checked_and_nothing_is_written(
        store: Store, people: dict, category: str, changes: dict, field: str) -> None:
    draft = replace(_complete(category, "BANT", people["ae"]), **changes)
    with pytest.raises(QualificationError) as refused:
        save_qualification(store.sessions, "lead", draft, people["sdr"], NOW)
    assert field in refused.value.problems
    assert _stage(store) == "MQL"
    with store.sessions() as session:
        assert session.scalars(select(Qualification)).all() == []


def test_d_needs_only_its_reason(store: Store, people: dict) -> None:
    draft = QualificationDraft(category="D", reason_code="D-STUDENT", framework="BANT")
    assert save_qualification(store.sessions, "lead", draft, people["sdr"], NOW).stage == \
        "disqualified"


def test_registration_answers_are_known_and_never_asked_again(store: Store,
                                                              people: dict) -> None:
    assert known_answers({"Budget": "Approved", "Timeline": "This quarter"}, "ANUM") == {
        "Money": "Approved (told us at registration)",
        "Urgency": "This quarter (told us at registration)"}
    detail = LeadDirectory(store.sessions).detail("lead")
    assert detail is not None
    context = qualification_context(store.sessions, detail)
    assert context.framework == "BANT"
    assert set(context.known) == {"Budget", "Need"}
    assert context.suggested_ae == people["ae"]  # a French lead goes to the EMEA AE
    assert {r.category for r in context.reasons} == {"A", "B", "C", "D"}


def test_the_team_framework_is_a_setting(store: Store, people: dict) -> None:
    with store.sessions.begin() as session:
        session.add(Setting(key="qualification_framework", value="AN"))
    detail = LeadDirectory(store.sessions).detail("lead")
    assert detail is not None
    assert qualification_context(store.sessions, detail).framework == "AN"


def _hand_off(store: Store, people: dict, at: datetime = NOW) -> None:
    save_qualification(store.sessions, "lead", _complete("A", "BANT", people["ae"]),
                       people["sdr"], at)


def test_accepting_a_hand_off_makes_an_sal_and_an_opportunity(store: Store,
                                                              people: dict) -> None:
    _hand_off(store, people)
    [item] = pending_for_ae(store.sessions, people["ae"], NOW + timedelta(hours=3))
    assert item.remaining(NOW + timedelta(hours=3)) == timedelta(hours=45)
    assert item.sdr == "Amelia Hughes" and not item.overdue
    opportunity_id = accept(store.sessions, "lead", people["ae"], NOW + timedelta(hours=3))
    assert _stage(store) == "SAL"
    with store.sessions() as session:
        opportunity = session.get(Opportunity, opportunity_id)
        assert opportunity is not None
        assert (opportunity.owner_id, opportunity.lead_id) == (people["ae"], "lead")
        assert opportunity.close_date == date(2026, 12, 31)  # an A lead: this quarter
        assert opportunity.next_step == "Demo with the CIO on Thursday"
        queued = {e.object for e in session.scalars(select(OutboxEntry))}
    assert {"Lead", "Opportunity", "Qualification__c"} <= queued
    assert pending_for_ae(store.sessions, people["ae"], NOW) == []
    with pytest.raises(HandoffError, match="already accepted"):
        accept(store.sessions, "lead", people["ae"], NOW)


def test_rejecting_needs_a_reason_and_returns_the_lead_to_nurture(store: Store,
                                                                  people: dict) -> None:
    _hand_off(store, people)
    with pytest.raises(HandoffError, match="reason is required"):
        reject(store.sessions, "lead", people["ae"], None, "", NOW)
    with pytest.raises(HandoffError, match="reason is required"):
        reject(store.sessions, "lead", people["ae"], "D-NO-FIT", "", NOW)
    with pytest.raises(HandoffError, match="another AE"):
        reject(store.sessions, "lead", people["ae_us"], "REJECT-NOT-QUALIFIED", "", NOW)
    reject(store.sessions, "lead", people["ae"], "REJECT-NOT-QUALIFIED", "No budget", NOW)
    assert _stage(store) == "nurture"
    with store.sessions() as session:
        lead = session.get(Lead, "lead")
        assert lead is not None
        assert (lead.handoff_state, lead.handoff_reason_code) == ("rejected",
                                                                  "REJECT-NOT-QUALIFIED")


def test_an_untouched_hand_off_is_overdue_after_48_hours_for_ae_and_sdr(
        store: Store, people: dict) -> None:
    _hand_off(store, people)
    just_before = NOW + timedelta(hours=47, minutes=59)
    assert not pending_for_ae(store.sessions, people["ae"], just_before)[0].overdue
    assert overdue_for_sdr(store.sessions, people["sdr"], just_before) == []
    after = NOW + timedelta(hours=48, minutes=1)
    assert pending_for_ae(store.sessions, people["ae"], after)[0].overdue
    assert [i.lead_id for i in overdue_for_sdr(store.sessions, people["sdr"], after)] == ["lead"]


def test_conversion_between_any_two_stages(store: Store, people: dict) -> None:
    _hand_off(store, people)
    accept(store.sessions, "lead", people["ae"], NOW + timedelta(hours=1))
    assert conversion(store.sessions, "SQL", "SAL") == (1, 1)
    assert conversion(store.sessions, "SQL", "nurture") == (1, 0)
    assert conversion(store.sessions, "SAL", "SQL") == (1, 0)  # never backwards in time


@pytest.mark.parametrize("category", ["A", "C", "D"])
def test_filing_a_lead_takes_it_off_the_call_queue_at_once(store: Store, people: dict,
                                                           category: str) -> None:
    from models.queue import work_list
    from models.touches import refresh_cadences

    with store.sessions.begin() as session:
        lead = session.get(Lead, "lead")
        assert lead is not None
        lead.phone = "+33472000000"
    refresh_cadences(store.sessions)
    at = NOW + timedelta(minutes=30)  # inside the London rep's hours and Lyon's window
    assert "lead" in [item.lead_id for item in work_list(store.sessions, people["sdr"],
                                                         "calls", at).items]
    save_qualification(store.sessions, "lead", _complete(category, "BANT", people["ae"]),
                       people["sdr"], NOW)
    assert work_list(store.sessions, people["sdr"], "calls", at).items == []
    with store.sessions() as session:
        lead = session.get(Lead, "lead")
        assert lead is not None and lead.cadence_state == "off"

