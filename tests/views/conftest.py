from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from desktop.composition import build_window, window_services
from desktop.crm_connection import CrmConnection
from models.crm.sandbox.server import Sandbox, SandboxServer
from models.reps import choose_rep
from models.store import User
from models.store.open import Store, open_store
from tests.conftest import FIXED_NOW
from tests.integration.fault_proxy import FaultProxy
from views.background import Background
from views.main_window import MainWindow


def _settle(runner: Background | CommandRunner) -> None:
    # Finish the work in flight and deliver its results while the test's widgets still exist,
    # so no result lands on a widget of a finished test.
    # A delivered result may start the next job (a list selects its first row, which loads
    # its detail): settle until nothing is left.
    for _ in range(10):
        runner.wait()
        QApplication.processEvents()
        if runner.idle():
            break


@pytest.fixture
def background(qtbot: QtBot) -> Iterator[Background]:
    runner = Background()
    yield runner
    _settle(runner)


@pytest.fixture
def commands(qtbot: QtBot) -> Iterator[CommandRunner]:
    runner = CommandRunner()
    yield runner
    _settle(runner)  # every write asked for runs and its result is delivered first
    runner.stop()


def open_window(qtbot: QtBot, store: Store, background: Background, commands: CommandRunner,
                clock: Callable[[], datetime] = lambda: FIXED_NOW) -> MainWindow:
    """The main window on ``store``, shown and started as the app does."""
    main = MainWindow(window_services(store, clock=clock, commands=commands), background)
    qtbot.addWidget(main)
    main.show()
    main.start()
    return main


def choose_london_sdr(store: Store) -> None:
    """The profile's rep becomes the demo's London inbound SDR."""
    with store.sessions() as session:
        rep = session.scalars(select(User).where(
            User.role == "SDR-inbound", User.timezone == "Europe/London")).first()
        assert rep is not None
    choose_rep(store.sessions, rep.id)


@pytest.fixture
def window(qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> MainWindow:
    main = open_window(qtbot, demo_store, background, commands)
    qtbot.waitUntil(lambda: main.leads.model.rowCount() > 0 and bool(main.today.cards))
    return main


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Shortcuts and mnemonics go to the active window, as on a desktop."""
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)


def cell(table: QAbstractItemView, row: int, column: int) -> str:
    """The text a list screen's table shows in a cell."""
    return str(table.model().index(row, column).data() or "")


def row_count(table: QAbstractItemView) -> int:
    return table.model().rowCount()


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    """The sandbox CRM on loopback, for a screen that syncs."""
    running = SandboxServer(Sandbox()).start()
    yield running
    running.stop()


@dataclass
class SyncDesk:
    """A profile's real window and its sync process, with the sandbox CRM on loopback
    (behind the fault proxy when a test needs one)."""

    store: Store
    server: SandboxServer
    window: MainWindow
    crm: CrmConnection
    proxy: FaultProxy | None = None


@contextmanager
def sync_desk(qtbot: QtBot, tmp_path: Path, background: Background,
              behind_proxy: bool = False) -> Iterator[SyncDesk]:
    """The window built as the app builds it, on its Sync screen, pointed at the CRM."""
    store = open_store(tmp_path)
    server = SandboxServer(Sandbox()).start()
    proxy = FaultProxy(server.base_url).start() if behind_proxy else None
    window, crm = build_window(store, background)
    qtbot.addWidget(window)
    window.show()
    window.show_screen("Sync")
    window.sync.crm_url.setText(proxy.base_url if proxy else server.base_url)
    try:
        yield SyncDesk(store, server, window, crm, proxy)
    finally:
        window.close()
        if proxy:
            proxy.stop()
        server.stop()
        store.close()


def tab_round(qtbot: QtBot, window: QWidget, key: Qt.Key = Qt.Key.Key_Tab,
              check: Callable[[QWidget, QWidget], None] = lambda _was, _now: None
              ) -> list[QWidget]:
    """Press ``key`` until the focus comes back where it started; the stops on the way.
    ``check(was, now)`` is asked of every step."""
    start = QApplication.focusWidget()
    assert start is not None and start.window() is window
    stops = [start]
    for _ in range(80):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, key)
        now = QApplication.focusWidget()
        assert now is not None and now.window() is window, "Tab left the window"
        check(focused, now)
        if now is start:
            return stops
        assert now not in stops, f"Tab came back to {now!r} before the end"
        stops.append(now)
    raise AssertionError("Tab never came back to where it started")

