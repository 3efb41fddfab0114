"""Account matching writes through the command runner a batch at a time, in order with the
rep's writes: an outcome logged while leads are being matched waits for one batch at most,
never for the whole match."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop import account_matching
from desktop.commands import CommandRunner
from desktop.matching_process import Planned
from models import touches
from models.hygiene import account_links
from models.store import Activity, Lead, LeadAccountMatch
from models.store.open import Store
from models.vocab import CallOutcome
from tests.conftest import FIXED_NOW
from views.background import Background


def _matched(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(LeadAccountMatch)) or 0


def test_an_outcome_logged_while_leads_are_matched_is_written_before_the_match_ends(
        qtbot: QtBot, demo_store: Store, background: Background, commands: CommandRunner,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(account_links, "WRITE_BATCH", 100)  # the demo's 600 leads: 6 batches
    with demo_store.sessions() as session:
        leads = session.scalar(select(func.count()).select_from(Lead)) or 0
        lead_id = session.scalars(select(Lead.id).order_by(Lead.id)).first()
    assert lead_id is not None and leads > 300
    # The rep presses an outcome key while the second batch is being worked out: working it
    # out waits for that key, so the order below does not depend on timing.
    pressed = threading.Event()
    writers: list[str] = []
    real_planned, real_write = account_matching.planned, account_matching.write_matches

    @contextmanager
    def key_pressed_during_matching(store: Store, now: datetime) -> Iterator[Planned]:
        with real_planned(store, now) as plan:
            def batches() -> Iterator[list[dict[str, Any]]]:
                for number, rows in enumerate(plan.batches):
                    if number == 1:
                        pressed.wait(10)
                    yield rows
            yield replace(plan, batches=batches())

    def write_matches(*args: Any) -> None:
        writers.append(threading.current_thread().name)
        real_write(*args)

    monkeypatch.setattr(account_matching, "planned", key_pressed_during_matching)
    monkeypatch.setattr(account_matching, "write_matches", write_matches)
    events: list[str] = []
    announced: list[object] = []
    commands.bus.changed.connect(lambda changes, _origin: announced.append(changes))
    background.run("account-matching",
                   lambda: account_matching.match_through(commands, demo_store, FIXED_NOW),
                   lambda done: events.append(f"matched {done.rematched}"))
    qtbot.waitUntil(lambda: _matched(demo_store) > 0)

    matched_when_logged: list[int] = []

    def log_outcome() -> object:
        logged = touches.log_touch(demo_store.sessions, lead_id, None, "call", FIXED_NOW,
                                   CallOutcome.NO_ANSWER)
        matched_when_logged.append(_matched(demo_store))
        return logged

    commands.run("Log the outcome", log_outcome, lambda _logged: events.append("logged"))
    pressed.set()
    qtbot.waitUntil(lambda: len(events) == 2, timeout=30_000)

    assert events == ["logged", f"matched {leads}"]
    # Written behind the one batch before it, not behind the whole match.
    assert matched_when_logged == [100]
    assert _matched(demo_store) == leads
    assert set(writers) == {"repdesk-writes"} and len(writers) == 6
    with demo_store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Activity).where(
            Activity.lead_id == lead_id, Activity.outcome == CallOutcome.NO_ANSWER))
    # The screens hear of the match once, at its end.
    assert sum(1 for changes in announced if getattr(changes, "kinds", None)
               and "account" in changes.kinds) == 1
