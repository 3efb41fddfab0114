"""Nurture gives leads back: a C lead on its follow-up date, a rejected one after the nurture
period, each in the re-engagement cadence; a trial lead without an expiry date gets 14 days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models.handoffs import reject
from models.nurture import return_due_from_nurture
from models.qualification import QualificationDraft, frameworks, save_qualification
from models.queue import work_list
from models.store import Lead, StageChange, User
from models.store.open import Store
from models.touches import lead_facts, log_touch, refresh_cadences

# Tuesday 24 November 2026, 10:00 in London.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def team(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        sdr = User(name="Amelia Hughes", role="SDR-inbound", timezone="Europe/London")
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris", region="EMEA")
        session.add_all([sdr, ae])
        session.flush()
        for key in ("later", "rejected"):
            session.add(Lead(id=key, first_name=key.title(), last_name="Lead",
                             company=f"{key} Ltd", owner_id=sdr.id, stage="MQL",
                             timezone="Europe/London", phone="+442079460000",
                             email=f"{key}@example.com", created_at=NOW - timedelta(days=200)))
    refresh_cadences(store.sessions)
    return {"sdr": sdr.id, "ae": ae.id}


def _lead(store: Store, lead_id: str) -> Lead:
    with store.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def _in_email_block(store: Store, rep: str, lead_id: str, at: datetime) -> bool:
    queue = work_list(store.sessions, rep, "e-mail", at)
    return lead_id in {item.lead_id for group in queue.groups for item in group.items}


def test_a_keep_in_touch_lead_comes_back_on_its_follow_up_date(store: Store,
                                                                team: dict[str, str]) -> None:
    talked = NOW - timedelta(days=60)
    log_touch(store.sessions, "later", team["sdr"], "call", talked, "connected")
    save_qualification(store.sessions, "later", QualificationDraft(
        category="C", reason_code="C-RESEARCHING", framework="BANT",
        follow_up_on=date(2026, 11, 24)), team["sdr"], talked)
    assert _lead(store, "later").stage == "nurture"
    assert return_due_from_nurture(store.sessions, NOW - timedelta(days=1)) == []
    assert not _in_email_block(store, team["sdr"], "later", NOW - timedelta(days=1))

    assert return_due_from_nurture(store.sessions, NOW) == ["later"]
    lead = _lead(store, "later")
    assert (lead.stage, lead.cadence_key, lead.cadence_state, lead.follow_up_on) == (
        "MQL", "re-engagement", "active", None)
    with store.sessions() as session:
        back = session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert back is not None
    assert (back.from_stage, back.to_stage, back.origin) == ("nurture", "MQL", "rule")
    assert back.reason == "back from nurture: follow-up date 24 Nov 2026"
    # The call that made contact before belongs to the old cadence: the new one starts.
    assert _in_email_block(store, team["sdr"], "later", NOW)
    assert return_due_from_nurture(store.sessions, NOW + timedelta(days=1)) == []


def test_a_rejected_lead_comes_back_after_the_nurture_period(store: Store,
                                                             team: dict[str, str]) -> None:
    answers = {criterion: "yes" for criterion in frameworks()["BANT"]}
    save_qualification(store.sessions, "rejected", QualificationDraft(
        category="A", reason_code="A-BUDGET-APPROVED", framework="BANT", answers=answers,
        next_step="Demo", handoff_to_id=team["ae"]), team["sdr"], NOW - timedelta(days=95))
    reject(store.sessions, "rejected", team["ae"], "REJECT-NOT-QUALIFIED", "Too small",
           NOW - timedelta(days=89))
    assert return_due_from_nurture(store.sessions, NOW) == []
    assert return_due_from_nurture(store.sessions, NOW + timedelta(days=1)) == ["rejected"]
    lead = _lead(store, "rejected")
    assert (lead.stage, lead.cadence_key) == ("MQL", "re-engagement")


def test_a_trial_lead_without_an_expiry_date_gets_fourteen_days(store: Store,
                                                                team: dict[str, str]) -> None:
    created = NOW - timedelta(days=5)
    with store.sessions.begin() as session:
        session.add(Lead(id="trial", last_name="Trial", company="Trial Ltd", source="Trial",
                         owner_id=team["sdr"], timezone="Europe/London",
                         phone="+442079460000", email="t@example.com", created_at=created))
        session.add(Lead(id="web", last_name="Web", company="Web Ltd", source="Web",
                         owner_id=team["sdr"], created_at=created))
    with store.sessions() as session:
        trial, web = session.get(Lead, "trial"), session.get(Lead, "web")
        assert trial is not None and web is not None
        assert lead_facts(trial).trial_expires_at == created + timedelta(days=14)
        assert lead_facts(web).trial_expires_at is None
    for days, kind in ((0, "call"), (2, "call"), (3, "email")):
        touched = log_touch(store.sessions, "trial", team["sdr"], kind,
                            created + timedelta(days=days, hours=1), "no answer")
    # The last step, two days before the evaluation ends, is still ahead (not skipped).
    assert touched.next.step is not None and touched.next.step.anchor == "trial_expiry"
    assert touched.next.due_at is not None
    assert touched.next.due_at.date() == (created + timedelta(days=12)).date()
