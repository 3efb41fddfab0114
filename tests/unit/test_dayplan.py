"""The rep's day as blocks, from the team default or the rep's own schedule."""

from __future__ import annotations

from datetime import date

from models.dayplan import plan_day
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
