"""Every write goes through one ordered path, off the UI thread, and every screen hears of it."""

from __future__ import annotations

import itertools
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt, QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from models.store import Activity, Lead
from models.store.open import Store
from tests.conftest import FIXED_NOW
from tests.views.conftest import activate, choose_london_sdr, open_window
from views.background import Background
from views.itemmodels.lead_table_model import Column
from views.main_window import MainWindow

# Held by a second process, as the sync process holds it while it rebuilds indexes.
LOCK_HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""


def _ticking_clock() -> Callable[[], datetime]:
    """FIXED_NOW, a second later at each reading: the order of writes shows in their times."""
    ticks = iter(range(1_000_000))
    return lambda: FIXED_NOW + timedelta(seconds=next(ticks))


@pytest.fixture
def calls(qtbot: QtBot, demo_store: Store, background: Background,
          commands: CommandRunner) -> MainWindow:
    """A London SDR at 15:00 on a Tuesday, on the first lead of the calls block."""
    choose_london_sdr(demo_store)
    window = open_window(qtbot, demo_store, background, commands, clock=_ticking_clock())
    qtbot.waitUntil(lambda: window.today.current_block() is not None)
    with qtbot.waitSignal(window.queue.lead_shown, timeout=5000):
        qtbot.keyClick(window.today, Qt.Key.Key_Return)
    return window


@contextmanager
def _write_lock_held(store: Store, seconds: float) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(store.path), str(seconds)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.wait(timeout=30)


def _outcomes(store: Store, lead_id: str) -> list[str | None]:
    with store.sessions() as session:
        return list(session.scalars(select(Activity.outcome).where(
            Activity.lead_id == lead_id).where(Activity.occurred_at >= FIXED_NOW)
            .order_by(Activity.occurred_at)))


def _settle(qtbot: QtBot, commands: CommandRunner) -> None:
    qtbot.waitUntil(commands.idle, timeout=15_000)


def test_two_quick_outcome_keys_log_two_outcomes_in_order(
        qtbot: QtBot, calls: MainWindow, demo_store: Store, commands: CommandRunner) -> None:
    queue = calls.queue
    lead = queue.current_lead_id()
    assert lead is not None
    # While the store is busy, both keys are pressed before the first is written.
    with _write_lock_held(demo_store, 0.5):
        qtbot.keyClick(queue.tree, Qt.Key.Key_3)
        qtbot.keyClick(queue.tree, Qt.Key.Key_2)
        assert not queue.buttons["no answer"].isEnabled()  # disabled while it runs
    _settle(qtbot, commands)
    assert _outcomes(demo_store, lead) == ["no answer", "voicemail"]
    assert lead not in queue.lead_ids()
    assert queue.buttons["no answer"].isEnabled()


def test_an_error_in_the_first_of_two_quick_writes_is_shown(
        qtbot: QtBot, calls: MainWindow, demo_store: Store, commands: CommandRunner) -> None:
    queue = calls.queue
    lead = queue.current_lead_id()
    assert lead is not None
    with _write_lock_held(demo_store, 0.5):
        qtbot.keyClick(queue.tree, Qt.Key.Key_6)
        queue.call_back_at.setDateTime(QDateTime((FIXED_NOW - timedelta(days=1)).astimezone()))
        qtbot.keyClick(queue.call_back_at, Qt.Key.Key_Return)  # a call-back in the past
        qtbot.keyClick(queue.tree, Qt.Key.Key_3)
    _settle(qtbot, commands)
    assert _outcomes(demo_store, lead) == ["no answer"]
    assert queue.error.isVisible()
    assert "A call-back needs a time later than now." in queue.error.text()
    assert queue.message.text().startswith("Logged.")  # the second still says it was logged


def test_a_write_while_another_process_holds_the_lock_leaves_the_window_responsive(
        qtbot: QtBot, calls: MainWindow, demo_store: Store, commands: CommandRunner) -> None:
    """A responsiveness check, not a speed benchmark: the UI thread never waits for SQLite."""
    queue = calls.queue
    lead = queue.current_lead_id()
    assert lead is not None
    queue.qualify()
    qtbot.waitUntil(lambda: calls.qualification_form is not None
                    and calls.qualification_form.isVisible())
    form = calls.qualification_form
    assert form is not None
    beats: list[float] = []
    heartbeat = QTimer(interval=5)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    heartbeat.start()
    with _write_lock_held(demo_store, 2.0) as holder:
        qtbot.keyClicks(form.next_step, "Call after the board meeting")
        form.save_draft_now()  # a draft save, made the way the form makes it
        form.reject()  # Esc keeps the draft: another save
        activate(qtbot, calls)
        qtbot.keyClick(queue.tree, Qt.Key.Key_3)
        assert holder.poll() is None  # all three asked for while the lock was held
        qtbot.waitUntil(lambda: holder.poll() is not None, timeout=10_000)
    _settle(qtbot, commands)
    heartbeat.stop()
    gaps = sorted((b - a) * 1000 for a, b in itertools.pairwise(beats))
    p99 = gaps[int(len(gaps) * 0.99) - 1]
    assert len(gaps) > 50
    assert p99 <= 50, f"p99 {p99:.0f} ms, max {gaps[-1]:.0f} ms, median " \
                      f"{statistics.median(gaps):.0f} ms"
    assert _outcomes(demo_store, lead) == ["no answer"]
    from models.drafts import load_draft
    assert (load_draft(demo_store.sessions, "qualification", lead) or {}).get(
        "next_step") == "Call after the board meeting"


def _waiting(window: MainWindow) -> int:
    found = re.search(r"waiting for follow-up: <b>([\d,]+)</b>", window.today.figures.text())
    assert found is not None
    return int(found.group(1).replace(",", ""))


def _stage_in_leads(qtbot: QtBot, window: MainWindow, lead_id: str) -> str:
    model = window.leads.model
    row = next(r for r in range(model.rowCount()) if model.lead_id(r) == lead_id)
    return str(model.data(model.index(row, Column.STAGE)))


def test_disqualifying_from_the_queue_shows_on_every_screen_at_once(
        qtbot: QtBot, calls: MainWindow, demo_store: Store, commands: CommandRunner) -> None:
    queue = calls.queue
    lead = queue.current_lead_id()
    assert lead is not None
    due = len(queue.lead_ids())
    header = queue.tree.currentItem().parent()
    in_group = header.childCount()
    assert f"({in_group})" in header.text(0)
    assert queue.summary.text().startswith(f"{due} leads due")
    calls.show_screen("Today")
    waiting = _waiting(calls)
    calls.show_screen("Leads")
    qtbot.waitUntil(lambda: calls.leads.model.rowCount() > 0)
    assert _stage_in_leads(qtbot, calls, lead) == "MQL"
    calls.show_screen("Queue")
    qtbot.keyClick(queue.tree, Qt.Key.Key_Q)
    qtbot.waitUntil(lambda: calls.qualification_form is not None
                    and calls.qualification_form.isVisible())
    form = calls.qualification_form
    assert form is not None
    activate(qtbot, form)
    qtbot.keyClick(form, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    form.reason.setCurrentIndex(1)
    with qtbot.waitSignal(form.qualified, timeout=5000):
        qtbot.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # The queue drops the lead and counts down.
    qtbot.waitUntil(lambda: lead not in queue.lead_ids())
    assert queue.summary.text().startswith(f"{due - 1} lead")
    headers = [queue.tree.topLevelItem(i).text(0) for i in range(queue.tree.topLevelItemCount())]
    assert any(f"({in_group - 1})" in text for text in headers) or in_group == 1
    # The Leads row and Today's headline follow when shown.
    calls.show_screen("Leads")
    qtbot.waitUntil(lambda: _stage_in_leads(qtbot, calls, lead) == "disqualified")
    with qtbot.waitSignal(calls.today.refreshed, timeout=5000):
        calls.show_screen("Today")
    assert _waiting(calls) == waiting - 1
    with demo_store.sessions() as session:
        stored = session.get(Lead, lead)
        assert stored is not None and stored.cadence_state == "off"


def test_ctrl_z_takes_back_the_last_outcome_and_the_lead_is_due_again(
        qtbot: QtBot, calls: MainWindow, demo_store: Store, commands: CommandRunner) -> None:
    queue = calls.queue
    lead = queue.current_lead_id()
    assert lead is not None
    due = len(queue.lead_ids())
    with qtbot.waitSignal(queue.touch_logged, timeout=5000):
        qtbot.keyClick(queue.tree, Qt.Key.Key_3)
    assert lead not in queue.lead_ids() and _outcomes(demo_store, lead) == ["no answer"]
    qtbot.keyClick(queue.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: lead in queue.lead_ids())
    assert queue.message.text().startswith("Taken back: the no answer call to ")
    assert _outcomes(demo_store, lead) == []
    assert len(queue.lead_ids()) == due
    qtbot.keyClick(queue.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: queue.message.text().startswith("Nothing to take back"))
