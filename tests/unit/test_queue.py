"""The call queue, the e-mail queue and the clean-up list of a rep's blocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models.hygiene.cleanup import data_problems
from models.queue import work_list
from models.store import Account, Activity, Lead, OutboxEntry, User
from models.store.open import Store
from models.touches import log_touch, refresh_cadences, snooze

# Tuesday 24 November 2026, 10:00 in London: the rep's call block.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def team(store: Store) -> dict[str, Any]:
    with store.sessions.begin() as session:
        rep = User(name="Amelia Hughes", role="SDR-inbound", timezone="Europe/London")
        named = Account(name="Granite Logistics", kind="prospect", is_named=True)
        session.add_all([rep, named])
        session.flush()

        def lead(key: str, persona: str | None, level: str | None, **extra: Any) -> None:
            fields: dict[str, Any] = dict(
                id=key, first_name=key.title(), last_name="Lead", company=f"{key} Ltd",
                title="Someone", title_level=level, persona=persona, owner_id=rep.id,
                timezone="Europe/London", phone="+442079460000",
                created_at=NOW - timedelta(hours=2), first_touch_at=None)
            fields.update(extra)
            session.add(Lead(**fields))

        lead("cfo", "exec-buyer", "C-level")
        lead("vp", "exec-buyer", "VP", account_id=named.id)
        lead("late", "exec-buyer", "VP", created_at=NOW - timedelta(hours=30))
        lead("dev", "practitioner", "individual contributor")
        lead("itdir", "tech-buyer", "director",
             trial_expires_at=NOW + timedelta(days=1), created_at=NOW - timedelta(hours=3))
        lead("nobody", None, None, title=None)
        lead("sydney", "exec-buyer", "C-level", timezone="Australia/Sydney",
             phone="+61291234567")
        lead("dnc", "exec-buyer", "C-level", do_not_call=True)
        lead("tomorrow", "exec-buyer", "C-level", created_at=NOW + timedelta(hours=20))
        lead("won", "exec-buyer", "C-level", stage="SQL")
        lead("badphone", "practitioner", "individual contributor", phone="12345")
        lead("nophone", "practitioner", "individual contributor", phone=None)
    refresh_cadences(store.sessions)
    return {"rep": rep.id}


def _keys(store: Store, rep: str, block: str = "calls", at: datetime = NOW) -> list[list[str]]:
    queue = work_list(store.sessions, rep, block, at)
    return [[item.lead_id for item in group.items] for group in queue.groups]


def test_calls_are_grouped_by_persona_in_priority_order(store: Store, team: dict) -> None:
    queue = work_list(store.sessions, team["rep"], "calls", NOW)
    assert [g.persona for g in queue.groups] == [
        "exec-buyer", "tech-buyer", "practitioner", "unclassified"]
    assert all(g.talk_track for g in queue.groups)


def test_inside_a_group_breached_sla_then_trial_then_named_then_level(store: Store,
                                                                      team: dict) -> None:
    assert _keys(store, team["rep"])[0] == ["late", "vp", "cfo"]


def test_no_lead_is_called_outside_its_window_or_against_its_wishes(store: Store,
                                                                    team: dict) -> None:
    queued = {key for group in _keys(store, team["rep"]) for key in group}
    assert {"sydney", "dnc", "tomorrow", "won"}.isdisjoint(queued)
    assert "badphone" in queued  # a bad number is tried once, then the clean-up list has it
    assert "nophone" not in queued


def test_planning_tomorrow_shows_what_will_be_due(store: Store, team: dict) -> None:
    tomorrow = NOW + timedelta(days=1)
    queued = {key for group in _keys(store, team["rep"], at=tomorrow) for key in group}
    assert "tomorrow" in queued


def test_a_sydney_lead_is_queued_in_sydney_working_hours(store: Store, team: dict) -> None:
    # 22:00 UTC is 9:00 on Wednesday in Sydney.
    sydney_morning = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)
    queue = work_list(store.sessions, team["rep"], "calls", sydney_morning)
    [item] = [i for i in queue.items if i.lead_id == "sydney"]
    assert item.local_time == "Wed 09:30"


def test_logging_an_outcome_moves_the_lead_on_and_queues_it_for_the_crm(
        store: Store, team: dict) -> None:
    logged = log_touch(store.sessions, "cfo", team["rep"], "call", NOW, "no answer",
                       note="Rang out")
    assert logged.next.due_at == NOW + timedelta(hours=48)
    assert "cfo" not in {i.lead_id for i in work_list(store.sessions, team["rep"], "calls",
                                                        NOW).items}
    with store.sessions() as session:
        lead = session.get(Lead, "cfo")
        assert lead is not None and lead.first_touch_at == NOW
        activity = session.get(Activity, logged.activity_id)
        assert activity is not None and activity.body == "Rang out"
        entries = session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id.in_(["cfo", logged.activity_id])).order_by(OutboxEntry.seq))
        queued = [(e.object, e.op, sorted(e.fields)) for e in entries][1:]  # after the create
    # The call reaches the CRM as a Task; the lead's touch times are RepDesk's own (no CRM
    # field), so they wait for nothing.
    assert [(obj, op) for obj, op, _fields in queued] == [("Task", "create")]


def test_contact_made_takes_the_lead_out_of_the_queue(store: Store, team: dict) -> None:
    logged = log_touch(store.sessions, "vp", team["rep"], "call", NOW, "connected")
    assert logged.next.state == "contacted"
    assert "vp" not in {i.lead_id for i in work_list(store.sessions, team["rep"], "calls",
                                                       NOW + timedelta(days=3)).items}


def test_a_call_back_needs_a_later_time(store: Store, team: dict) -> None:
    with pytest.raises(ValueError, match="later than now"):
        log_touch(store.sessions, "vp", team["rep"], "call", NOW, "call back")
    later = NOW + timedelta(hours=3)
    logged = log_touch(store.sessions, "vp", team["rep"], "call", NOW, "call back",
                       follow_up_at=later)
    assert logged.next.due_at == later


def test_snooze_puts_a_lead_off_until_later(store: Store, team: dict) -> None:
    assert snooze(store.sessions, "dev", NOW + timedelta(hours=2)) == NOW + timedelta(hours=2)
    assert "dev" not in {i.lead_id for i in work_list(store.sessions, team["rep"], "calls",
                                                        NOW).items}


def test_email_block_lists_due_email_steps(store: Store, team: dict) -> None:
    queue = work_list(store.sessions, team["rep"], "e-mail", NOW)
    # Leads that cannot be called go straight to the e-mail step.
    assert sorted(i.lead_id for i in queue.items) == ["dnc", "nophone"]


def test_cleanup_lists_missing_and_bad_data(store: Store, team: dict) -> None:
    problems = {p.lead_id: p.problems for p in data_problems(store.sessions, team["rep"])}
    assert problems["nobody"] == ("no title",)
    assert problems["badphone"] == ("bad phone number '12345'",)
    assert "cfo" not in problems
