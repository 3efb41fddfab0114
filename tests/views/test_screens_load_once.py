"""A screen reads its records when first shown, then only when a write changes them: going back
and forth between screens keeps the rep's place and does not read again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.commands import CommandRunner
from models.store.open import Store
from tests.views.conftest import open_window
from views.background import Background
from views.main_window import MainWindow


class CountingBackground(Background):
    """The real background runner, counting the reads each screen asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: Counter[str] = Counter()

    def run(self, key: str, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None) -> None:
        self.reads[key] += 1
        super().run(key, fn, on_done, on_error)


@pytest.fixture
def counted(qtbot: QtBot, demo_store: Store,
            commands: CommandRunner) -> Iterator[tuple[MainWindow, CountingBackground]]:
    """The window on a background runner that counts its reads."""
    counting = CountingBackground()
    window = open_window(qtbot, demo_store, counting, commands)
    yield window, counting
    counting.wait()


def _show_deals(qtbot: QtBot, window: MainWindow) -> None:
    window.show_screen("Opportunities")
    window.workspace.setCurrentWidget(window.opportunities)
    qtbot.waitUntil(lambda: window.opportunities.table.model().rowCount() > 2)


def test_going_back_and_forth_between_screens_reads_nothing_again(
        qtbot: QtBot, counted: tuple[MainWindow, CountingBackground]) -> None:
    window, counting = counted
    _show_deals(qtbot, window)
    deals = window.opportunities.table
    deals.selectRow(2)
    chosen = deals.model().index(2, 0).data()
    for name in ("References", "Feedback", "Sync", "Dashboard"):
        window.show_screen(name)
    qtbot.waitUntil(counting.idle)
    first = counting.reads.copy()
    assert first["opportunities"] == 1
    for _ in range(3):
        for name in ("Leads", "References", "Opportunities", "Feedback", "Sync",
                     "Dashboard"):
            window.show_screen(name)
    window.show_screen("Opportunities")
    qtbot.waitUntil(counting.idle)
    for key in ("opportunities", "references", "feedback", "sync-view", "dashboard"):
        assert counting.reads[key] == first[key], key
    assert deals.currentIndex().row() == 2 and deals.model().index(2, 0).data() == chosen


def test_a_write_made_elsewhere_shows_when_the_screen_is_next_shown(
        qtbot: QtBot, counted: tuple[MainWindow, CountingBackground],
        commands: CommandRunner) -> None:
    window, counting = counted
    _show_deals(qtbot, window)
    before = window.opportunities.table.model().rowCount()
    window.show_screen("Leads")
    create = window._services.opportunities.create
    commands.run("Create the opportunity",
                 lambda: create("Harbour Logistics expansion", date(2027, 3, 1)))
    commands.wait()
    qtbot.waitUntil(commands.idle)
    reads = counting.reads["opportunities"]
    window.show_screen("Opportunities")
    qtbot.waitUntil(lambda: window.opportunities.table.model().rowCount() == before + 1)
    assert counting.reads["opportunities"] == reads + 1
    deals = window.opportunities.table.model()
    names = [deals.index(row, 0).data() for row in range(before + 1)]
    assert "Harbour Logistics expansion" in names


def test_the_deal_on_the_first_row_is_the_one_described_after_a_refresh(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    window = open_window(qtbot, demo_store, background, commands)
    _show_deals(qtbot, window)
    view = window.opportunities
    qtbot.waitUntil(lambda: view.table.model().index(0, 0).data() in view.detail.toPlainText())
    first_open = view.table.model().index(0, 0).data()
    view.include_closed.setChecked(True)  # closed deals come first: row 0 is another deal
    qtbot.waitUntil(lambda: view.table.model().index(0, 0).data() != first_open)
    qtbot.waitUntil(lambda: view.table.model().index(0, 0).data() in view.detail.toPlainText())
    first = view.table.model().index(0, 0).data()
    assert view.current() is not None and view.current().name == first
