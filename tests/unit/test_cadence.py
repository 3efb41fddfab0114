"""The follow-up cadence: the default trial cadence of four touches, placed in working time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.cadence import (
    Cadence,
    CadenceState,
    LeadFacts,
    SlaState,
    Step,
    Touch,
    first_touch_sla,
    next_touch,
)
from models.worktime import Hours

TRIAL = Cadence("trial", (
    Step(1, "call", "lead_created", 0, 24),
    Step(2, "call", "previous_attempt", 48, 24),
    Step(3, "email", "previous_attempt", 0, 48, "Trial follow-up"),
    Step(4, "call", "trial_expiry", -48, 24),
))
NEW_YORK = Hours("America/New_York")
NY = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)  # type: ignore[misc]


def test_a_new_lead_is_called_at_once_within_the_day() -> None:
    created = ny(2026, 11, 24, 10, 30)  # a Tuesday
    upcoming = next_touch(TRIAL, LeadFacts(created), [], NEW_YORK, NEW_YORK)
    assert upcoming.state == CadenceState.ACTIVE
    assert upcoming.step == TRIAL.steps[0]
    assert upcoming.due_at == created
    assert upcoming.deadline == created + timedelta(hours=24)


def test_no_answer_brings_the_second_call_two_days_later() -> None:
    created = ny(2026, 11, 24, 10, 30)
    called = Touch("call", ny(2026, 11, 24, 11, 0), "no answer")
    upcoming = next_touch(TRIAL, LeadFacts(created), [called], NEW_YORK, NEW_YORK)
    assert upcoming.step == TRIAL.steps[1]
    assert upcoming.due_at == ny(2026, 11, 26, 11, 0)


def test_the_third_touch_is_an_email_after_the_second_call() -> None:
    touches = [Touch("call", ny(2026, 11, 24, 11, 0), "no answer"),
               Touch("call", ny(2026, 11, 26, 11, 5), "voicemail")]
    upcoming = next_touch(TRIAL, LeadFacts(ny(2026, 11, 24, 10, 30)), touches, NEW_YORK,
                          NEW_YORK)
    assert (upcoming.step, upcoming.due_at) == (TRIAL.steps[2], ny(2026, 11, 26, 11, 5))
    assert upcoming.deadline == ny(2026, 11, 28, 11, 5)


def test_the_last_call_comes_two_days_before_the_trial_expires() -> None:
    created = ny(2026, 11, 16, 10, 0)
    touches = [Touch("call", ny(2026, 11, 16, 10, 5), "no answer"),
               Touch("call", ny(2026, 11, 18, 10, 5), "no answer"),
               Touch("email", ny(2026, 11, 18, 10, 10))]
    lead = LeadFacts(created, trial_expires_at=created + timedelta(days=14))
    upcoming = next_touch(TRIAL, lead, touches, NEW_YORK, NEW_YORK)
    assert upcoming.step == TRIAL.steps[3]
    # Two days before expiry is Saturday 28th: the call moves to Monday's first hour, still
    # before the licence ends at 10:00.
    assert upcoming.due_at == ny(2026, 11, 30, 9, 0)
    assert lead.trial_expires_at is not None and upcoming.due_at < lead.trial_expires_at


def test_without_a_trial_the_cadence_ends_after_the_email() -> None:
    touches = [Touch("call", ny(2026, 11, 16, 10, 5), "no answer"),
               Touch("call", ny(2026, 11, 18, 10, 5), "no answer"),
               Touch("email", ny(2026, 11, 18, 10, 10))]
    upcoming = next_touch(TRIAL, LeadFacts(ny(2026, 11, 16, 10, 0)), touches, NEW_YORK,
                          NEW_YORK)
    assert upcoming.state == CadenceState.EXHAUSTED and upcoming.due_at is None


def test_a_lead_from_friday_evening_is_called_on_monday_morning() -> None:
    created = ny(2026, 11, 27, 18, 0)  # Friday after hours
    upcoming = next_touch(TRIAL, LeadFacts(created), [], NEW_YORK, NEW_YORK)
    assert upcoming.due_at == ny(2026, 11, 30, 9, 0)


def test_the_end_of_summer_time_keeps_the_call_at_nine_local() -> None:
    # US clocks go back on Sunday 1 November 2026: 9:00 on Monday is 14:00 UTC, not 13:00.
    created = ny(2026, 10, 28, 9, 0)
    called = Touch("call", ny(2026, 10, 30, 16, 0), "no answer")  # Friday, 20:00 UTC
    upcoming = next_touch(TRIAL, LeadFacts(created), [called], NEW_YORK, NEW_YORK)
    assert upcoming.due_at == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert upcoming.due_at.astimezone(NY).hour == 9


def test_a_sydney_lead_worked_from_new_york_is_called_in_its_own_morning() -> None:
    created = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 Tuesday in New York
    lead = LeadFacts(created, timezone="Australia/Sydney")
    upcoming = next_touch(TRIAL, lead, [], NEW_YORK, Hours("Australia/Sydney"))
    local = upcoming.due_at.astimezone(SYDNEY)
    assert (local.weekday(), local.hour, local.minute) == (2, 9, 0)  # Wednesday 9:00 there
    assert upcoming.due_at.astimezone(NY).hour == 17  # the end of the rep's Tuesday
    assert upcoming.inside_rep_hours is False


def test_contact_made_mid_cadence_ends_it() -> None:
    touches = [Touch("call", ny(2026, 11, 24, 11, 0), "no answer"),
               Touch("call", ny(2026, 11, 26, 11, 0), "connected")]
    upcoming = next_touch(TRIAL, LeadFacts(ny(2026, 11, 24, 10, 0)), touches, NEW_YORK,
                          NEW_YORK)
    assert upcoming.state == CadenceState.CONTACTED and upcoming.due_at is None


def test_a_requested_call_back_time_is_kept() -> None:
    asked = ny(2026, 11, 25, 15, 30)
    touches = [Touch("call", ny(2026, 11, 24, 11, 0), "call back", follow_up_at=asked)]
    upcoming = next_touch(TRIAL, LeadFacts(ny(2026, 11, 24, 10, 0)), touches, NEW_YORK,
                          NEW_YORK)
    assert (upcoming.state, upcoming.due_at) == (CadenceState.ACTIVE, asked)


@pytest.mark.parametrize("lead", [
    LeadFacts(ny(2026, 11, 24, 10, 0), do_not_call=True),
    LeadFacts(ny(2026, 11, 24, 10, 0), has_phone=False),
])
def test_leads_we_cannot_call_get_only_emails(lead: LeadFacts) -> None:
    upcoming = next_touch(TRIAL, lead, [], NEW_YORK, NEW_YORK)
    assert upcoming.step == TRIAL.steps[2]


def test_a_bad_number_stops_the_calls_but_not_the_email() -> None:
    touches = [Touch("call", ny(2026, 11, 24, 11, 0), "bad number")]
    upcoming = next_touch(TRIAL, LeadFacts(ny(2026, 11, 24, 10, 0)), touches, NEW_YORK,
                          NEW_YORK)
    assert upcoming.step is not None and upcoming.step.channel == "email"


def test_snoozing_puts_the_touch_off() -> None:
    lead = LeadFacts(ny(2026, 11, 24, 10, 0), snoozed_until=ny(2026, 11, 24, 14, 0))
    assert next_touch(TRIAL, lead, [], NEW_YORK, NEW_YORK).due_at == ny(2026, 11, 24, 14, 0)


@pytest.mark.parametrize(("hours_since_creation", "touched_after", "state"), [
    (2, None, SlaState.DUE),
    (21, None, SlaState.AT_RISK),
    (25, None, SlaState.BREACHED),
    (30, 3, SlaState.MET),
    (30, 26, SlaState.MISSED),
])
def test_first_touch_sla(hours_since_creation: int, touched_after: int | None,
                         state: SlaState) -> None:
    created = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    touched = created + timedelta(hours=touched_after) if touched_after else None
    now = created + timedelta(hours=hours_since_creation)
    assert first_touch_sla(created, touched, now) == state
