"""The rep's day as blocks, from the team default or the rep's own schedule."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from models.dayplan import blocks_of, plan_day, save_blocks, start_block
from models.store import DayBlock, User
from models.store.open import Store

TUESDAY = date(2026, 11, 24)


def test_default_day_is_cleanup_email_calls_wrapup_from_nine(store: Store) -> None:
    blocks = plan_day(store.sessions, None, TUESDAY, "America/Chicago")
    assert [(b.kind, f"{b.starts_at:%H:%M}", f"{b.ends_at:%H:%M}") for b in blocks] == [
        ("clean-up", "09:00", "10:00"), ("e-mail", "10:00", "13:00"),
        ("calls", "13:00", "16:00"), ("wrap-up", "16:00", "17:00")]
    assert str(blocks[0].starts_at.tzinfo) == "America/Chicago"


def test_a_reps_own_weekday_schedule_wins(store: Store) -> None:
    with store.sessions.begin() as session:
        rep = User(name="Lukas Weber", role="SDR-outbound", timezone="Europe/Berlin")
        session.add(rep)
        session.flush()
        session.add_all([
            DayBlock(rep_id=rep.id, weekday=TUESDAY.weekday(), position=1, kind="calls",
                     minutes=240, target=80),
            DayBlock(rep_id=rep.id, weekday=TUESDAY.weekday(), position=2, kind="wrap-up",
                     minutes=60),
        ])
    tuesday = plan_day(store.sessions, rep.id, TUESDAY, rep.timezone)
    wednesday = plan_day(store.sessions, rep.id, date(2026, 11, 25), rep.timezone)
    assert [(b.kind, b.target) for b in tuesday] == [("calls", 80), ("wrap-up", None)]
    assert [b.kind for b in wednesday] == ["clean-up", "e-mail", "calls", "wrap-up"]


def _rep(store: Store) -> str:
    with store.sessions.begin() as session:
        rep = User(name="Chloé Martin", role="SDR-inbound", timezone="Europe/Paris")
        session.add(rep)
    return rep.id


def test_an_overrunning_block_moves_the_rest_of_the_day(store: Store) -> None:
    rep = _rep(store)
    paris = ZoneInfo("Europe/Paris")
    start_block(store.sessions, rep, TUESDAY, 3, datetime(2026, 11, 24, 13, 0, tzinfo=paris))
    late = datetime(2026, 11, 24, 16, 40, tzinfo=paris)  # the calls block should end at 16:00
    blocks = plan_day(store.sessions, rep, TUESDAY, "Europe/Paris", now=late)
    assert [(b.kind, f"{b.starts_at:%H:%M}", f"{b.ends_at:%H:%M}") for b in blocks][2:] == [
        ("calls", "13:00", "16:40"), ("wrap-up", "16:40", "17:40")]
    assert blocks[2].started and not blocks[2].ended


def test_starting_a_block_late_and_ending_it_early(store: Store) -> None:
    rep = _rep(store)
    paris = ZoneInfo("Europe/Paris")
    start_block(store.sessions, rep, TUESDAY, 2, datetime(2026, 11, 24, 10, 30, tzinfo=paris))
    start_block(store.sessions, rep, TUESDAY, 3, datetime(2026, 11, 24, 12, 0, tzinfo=paris))
    blocks = plan_day(store.sessions, rep, TUESDAY, "Europe/Paris",
                      now=datetime(2026, 11, 24, 12, 5, tzinfo=paris))
    assert [(f"{b.starts_at:%H:%M}", f"{b.ends_at:%H:%M}", b.ended) for b in blocks[1:]] == [
        ("10:30", "12:00", True), ("12:00", "15:00", False), ("15:00", "16:00", False)]


def test_a_rep_edits_the_blocks_of_one_weekday(store: Store) -> None:
    rep = _rep(store)
    assert blocks_of(store.sessions, rep, None)[0] == ("clean-up", 60, None)
    save_blocks(store.sessions, rep, 4, [("calls", 240, 80), ("wrap-up", 60, None)])
    assert blocks_of(store.sessions, rep, 4) == [("calls", 240, 80), ("wrap-up", 60, None)]
    assert [b.kind for b in plan_day(store.sessions, rep, date(2026, 11, 27),
                                     "Europe/Paris")] == ["calls", "wrap-up"]
    assert len(blocks_of(store.sessions, rep, 3)) == 4  # Thursday keeps the team's day


@pytest.mark.parametrize(("blocks", "message"), [
    ([("lunch", 60, None)], "Unknown block kind"),
    ([("calls", 0, 10)], "at least 5 minutes"),
    ([("calls", 600, None), ("e-mail", 400, None)], "more than 16 hours"),
])
def test_a_bad_schedule_is_refused_and_the_old_one_kept(store: Store, blocks: list,
                                                        message: str) -> None:
    rep = _rep(store)
    with pytest.raises(ValueError, match=message):
        save_blocks(store.sessions, rep, None, blocks)
    assert len(blocks_of(store.sessions, rep, None)) == 4


def test_a_block_counts_the_reps_own_touches_inside_its_hours(store: Store) -> None:
    from models.store import Activity

    rep, other = _rep(store), _rep(store)
    paris = ZoneInfo("Europe/Paris")

    def touch(owner: str, kind: str, hour: int, minute: int = 0) -> Activity:
        return Activity(kind=kind, owner_id=owner, subject=kind,
                        occurred_at=datetime(2026, 11, 24, hour, minute, tzinfo=paris))

    with store.sessions.begin() as session:
        session.add_all([
            touch(rep, "call", 10, 30),  # a call made during the e-mail block counts there
            touch(rep, "email", 11), touch(rep, "call", 14), touch(rep, "call", 15, 59),
            touch(rep, "call", 8),  # before the day's blocks: in no block
            touch(other, "call", 14),  # another rep's: never
        ])
    blocks = plan_day(store.sessions, rep, TUESDAY, "Europe/Paris",
                      now=datetime(2026, 11, 24, 16, 30, tzinfo=paris))
    assert [(b.kind, b.done) for b in blocks] == [
        ("clean-up", 0), ("e-mail", 2), ("calls", 2), ("wrap-up", 0)]
