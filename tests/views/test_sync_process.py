"""The window's sync process with the real sandbox CRM: replaced when it dies, the status bar
following every outcome, and ended when the window closes."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from models.store import Lead
from models.store.open import Store
from tests.views.conftest import SyncDesk, sync_desk
from views.background import Background
from views.main_window import MainWindow

SYNC_TIMEOUT_MS = 60_000


@pytest.fixture
def desk(qtbot: QtBot, tmp_path: Path, background: Background) -> Iterator[SyncDesk]:
    with sync_desk(qtbot, tmp_path, background) as made:
        yield made


def _add_lead(store: Store, name: str) -> None:
    with store.sessions.begin() as session:
        session.add(Lead(last_name=name, company="Orion", created_at=datetime.now(UTC)))


def _sync(qtbot: QtBot, window: MainWindow) -> str:
    view = window.sync
    qtbot.waitUntil(view.sync_button.isEnabled)
    with qtbot.waitSignal(view.synced, timeout=SYNC_TIMEOUT_MS):
        view.sync_button.click()
    return view.message.text()


def _failed_sync(qtbot: QtBot, window: MainWindow) -> str:
    view = window.sync
    view.sync_button.click()
    qtbot.waitUntil(lambda: view.message.text().startswith("The sync stopped"),
                    timeout=SYNC_TIMEOUT_MS)
    return view.message.text()


def _connection(qtbot: QtBot, window: MainWindow, starts: str) -> None:
    window.refresh_status()
    qtbot.waitUntil(lambda: window.status.connection.text().startswith(starts))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_sync_process_killed_while_idle_is_replaced_for_the_next_sync(
        qtbot: QtBot, desk: SyncDesk) -> None:
    _add_lead(desk.store, "Sato")
    assert _sync(qtbot, desk.window).startswith("Synced: 1 sent")
    first = desk.crm.process_id
    assert first is not None
    os.kill(first, signal.SIGKILL)
    qtbot.waitUntil(lambda: not _alive(first))
    _add_lead(desk.store, "Ito")

    assert _sync(qtbot, desk.window).startswith("Synced: 1 sent")

    assert desk.crm.process_id not in (None, first)
    assert len(list(desk.server.sandbox.store.all("Lead"))) == 2


def test_a_sync_process_killed_during_a_sync_says_so_and_the_next_sync_works(
        qtbot: QtBot, desk: SyncDesk) -> None:
    _add_lead(desk.store, "Sato")
    _sync(qtbot, desk.window)
    _connection(qtbot, desk.window, "Online")
    pid = desk.crm.process_id
    assert pid is not None
    _add_lead(desk.store, "Ito")
    desk.server.sandbox.faults.latency_s = 0.5  # every call slow: the sync is under way
    calls = desk.server.sandbox.calls
    desk.window.sync.sync_button.click()
    qtbot.waitUntil(lambda: desk.server.sandbox.calls > calls, timeout=SYNC_TIMEOUT_MS)
    os.kill(pid, signal.SIGKILL)

    qtbot.waitUntil(lambda: desk.window.sync.message.text().startswith("The sync stopped"),
                    timeout=SYNC_TIMEOUT_MS)
    assert "stopped unexpectedly" in desk.window.sync.message.text()
    _connection(qtbot, desk.window, "Offline")

    desk.server.sandbox.faults.latency_s = 0.0
    assert _sync(qtbot, desk.window).startswith("Synced:")
    _connection(qtbot, desk.window, "Online")
    assert {r.fields["LastName"] for r in desk.server.sandbox.store.all("Lead")} == {
        "Sato", "Ito"}


def test_online_follows_every_outcome(qtbot: QtBot, desk: SyncDesk) -> None:
    _connection(qtbot, desk.window, "Offline: no CRM")  # nothing synced, no address kept
    _sync(qtbot, desk.window)
    _connection(qtbot, desk.window, "Online")

    desk.server.sandbox.faults.queue("limit")  # the org's allowance is spent
    _failed_sync(qtbot, desk.window)
    _connection(qtbot, desk.window, "Offline")

    _sync(qtbot, desk.window)
    _connection(qtbot, desk.window, "Online")

    desk.window.sync.crm_url.setText("http://crm.example.com")  # refused: plain http
    _failed_sync(qtbot, desk.window)
    _connection(qtbot, desk.window, "Offline")


def test_closing_the_window_ends_its_sync_process(qtbot: QtBot, desk: SyncDesk) -> None:
    _sync(qtbot, desk.window)
    pid = desk.crm.process_id
    assert pid is not None and _alive(pid) and desk.crm.process_running

    desk.window.close()

    assert not desk.crm.process_running
    qtbot.waitUntil(lambda: not _alive(pid))
