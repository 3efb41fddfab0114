"""A new rep walks every screen of the demo by keyboard alone: Ctrl+1…8 to go to a screen, Tab
and Shift+Tab through it. Nothing holds the focus, Tab reads the screen as the eye does (the
navigation down the side does not pull the middle of a screen into its first row), and dates
read the same on every desktop."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDateEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from models.store import Qualification
from models.store.open import Store
from tests.views.conftest import activate, tab_round
from ui.row_table import lines_of
from views.background import Background
from views.main_window import MainWindow


def _in_sight(widget: QWidget) -> bool:
    """Shown, inside the window, and inside every scrolled area around it."""
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    window = widget.window()
    box = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(box.center()):
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            port = parent.viewport()
            seen = QRect(widget.mapTo(port, QPoint(0, 0)), widget.size())
            if not port.rect().intersects(seen):
                return False
        parent = parent.parentWidget()
    return True


def _walk(qtbot: QtBot, window: MainWindow, key: Qt.Key = Qt.Key.Key_Tab) -> list[QWidget]:
    """Press ``key`` until the focus comes back where it started; the stops on the way, each
    moving the focus on and in sight."""
    def moves_into_sight(was: QWidget, now: QWidget) -> None:
        assert now is not was, f"Tab is held by {now!r}"
        assert _in_sight(now), f"Tab reached {now!r}, which is out of sight"

    return tab_round(qtbot, window, key, moves_into_sight)


def _in_order(stops: list[QWidget], *expected: QWidget) -> None:
    start = stops.index(expected[0])
    turned = stops[start:] + stops[:start]
    found = [w for w in turned if w in expected]
    assert found == list(expected), [type(w).__name__ for w in found]


def test_tab_goes_round_every_screen_and_never_gets_held(
        qtbot: QtBot, window: MainWindow, background: Background) -> None:
    activate(qtbot, window)
    for number in range(1, 9):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(background.idle, timeout=20_000)  # the screen has read what it shows
        if window.current_screen() == "Dashboard":
            qtbot.waitUntil(lambda: window.dashboard is not None
                            and window.dashboard.sheet is not None, timeout=20_000)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        forwards = _walk(qtbot, window)
        assert window.navigation in forwards  # the way to the other screens
        backwards = _walk(qtbot, window, Qt.Key.Key_Backtab)
        assert set(backwards) == set(forwards), window.current_screen()


def test_tab_reads_a_screen_row_by_row_beside_the_navigation(qtbot: QtBot,
                                                             window: MainWindow) -> None:
    activate(qtbot, window)
    leads = window.leads
    window.show_screen("Leads")
    leads.table.selectRow(0)
    qtbot.waitUntil(leads.qualify_button.isEnabled)
    leads.search_box.setFocus()
    _in_order(_walk(qtbot, window), leads.search_box, leads.new_lead_button,
              leads.import_button, leads.export_button, leads.table, leads.qualify_button)

    sync = window.sync
    window.show_screen("Sync")
    sync.crm_url.setFocus()
    # The lists under the address were read before it, beside the navigation's top.
    _in_order(_walk(qtbot, window), sync.crm_url, sync.sync_button, sync.outbox,
              sync.conflicts, sync.edited)


def test_dates_are_written_the_same_on_every_desktop(qtbot: QtBot, window: MainWindow) -> None:
    window.show_screen("Opportunities")
    window.workspace.setCurrentWidget(window.opportunities)
    fields = window.findChildren(QDateEdit)
    assert fields
    for field in fields:
        if type(field) is QDateEdit:  # date and time fields say the time as well
            assert re.fullmatch(r"\w{3} \d{2} \w{3} \d{4}", field.text()), field.text()


def test_an_empty_list_says_why_it_is_empty(qtbot: QtBot, window: MainWindow,
                                            demo_store: Store) -> None:
    with demo_store.sessions.begin() as session:
        for qualification in session.scalars(select(Qualification)):
            qualification.competitive_info = None
    window.show_screen("Feedback")
    notes = window.feedback.notes
    qtbot.waitUntil(lambda: bool(lines_of(notes)))
    assert lines_of(notes)[0].startswith("Nothing yet: what prospects say about other vendors")
