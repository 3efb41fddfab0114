"""The main window as a rep drives it: keys, search, the lead panel, the status bar."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from models.hygiene.account_links import account_of
from models.store import Lead
from models.store.open import Store
from views.itemmodels.lead_table_model import Column
from views.main_window import MainWindow


def test_title_names_the_rep(window: MainWindow) -> None:
    assert window.windowTitle().startswith("RepDesk — ")
    assert len(window.windowTitle()) > len("RepDesk — ")


def test_ctrl_number_keys_switch_screens(qtbot: QtBot, window: MainWindow) -> None:
    assert window.current_screen() == "Today"
    for number, name in enumerate(
            ["Today", "Queue", "Leads", "Opportunities", "References", "Feedback", "Dashboard",
             "Sync"], start=1):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert window.current_screen() == name


def test_the_dashboard_counts_when_it_is_shown(qtbot: QtBot, window: MainWindow) -> None:
    assert window.dashboard is not None
    window.show_screen("Dashboard")
    qtbot.waitUntil(lambda: window.dashboard is not None and window.dashboard.sheet is not None,
                    timeout=20_000)
    assert window.dashboard.tiles["calls"].text().startswith("Calls\n")
    assert window.dashboard.who.currentText().endswith("(me) · SDR-inbound")


def test_ctrl_f_searches_leads_and_shows_the_first_match(qtbot: QtBot,
                                                         window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen() == "Leads"
    assert window.leads.search_box.hasFocus()
    everyone = window.leads.model.rowCount()
    first = window.leads.model.data(window.leads.model.index(0, 0))
    surname = first.split()[-1]
    qtbot.keyClicks(window.leads.search_box, surname)
    qtbot.waitUntil(lambda: window.leads.model.rowCount() < everyone)
    model = window.leads.model
    for row in range(model.rowCount()):
        searched = " ".join(model.data(model.index(row, column))
                            for column in (Column.NAME, Column.COMPANY, Column.EMAIL))
        assert surname.casefold() in searched.casefold()
    assert f"{window.leads.model.rowCount():,} leads" == window.leads.count_label.text()
    qtbot.waitUntil(lambda: "What they told us at registration"
                    in window.leads.panel.toPlainText())


def test_a_search_with_no_match_says_so(qtbot: QtBot, window: MainWindow) -> None:
    window.show_screen("Leads")
    window.leads.search_box.setText("zzqx no such lead")
    window.leads.search_now()
    qtbot.waitUntil(lambda: window.leads.model.rowCount() == 0)
    assert window.leads.count_label.text() == "No lead matches the search."


def test_status_bar_counts_changes_waiting_to_sync(qtbot: QtBot, window: MainWindow,
                                                   demo_store: Store) -> None:
    qtbot.waitUntil(lambda: "waiting to sync" in window.status.pending.text())
    assert window.status.pending.text() == "0 changes waiting to sync"
    assert "no CRM connected" in window.status.connection.text()
    assert window.status.last_sync.text() == "Last sync: never"
    with demo_store.sessions.begin() as session:
        session.add(Lead(last_name="Reddy", company="Nova Power", created_at=datetime.now(UTC)))
    window.refresh_status()
    qtbot.waitUntil(lambda: window.status.pending.text() == "1 change waiting to sync")


def test_today_highlights_the_block_under_way(window: MainWindow) -> None:
    cards = window.today.cards
    assert len(cards) == 4
    # FIXED_NOW is mid-afternoon in Europe and mid-morning in America: always inside a block.
    current = [card for card in cards if card.property("current")]
    assert len(current) == 1
    assert "now" in current[0].findChild(QLabel, "blockKind").text()
    assert window.today.heading.text() == "Today, Tuesday 24 November"


def test_leads_are_matched_to_accounts_in_the_background_after_start(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    qtbot.waitUntil(lambda: window.status.currentMessage().startswith("Accounts matched"),
                    timeout=15_000)
    assert "to confirm" in window.status.currentMessage()
    with demo_store.sessions() as session:
        linked = session.scalars(select(Lead).where(Lead.account_id.is_not(None))).first()
        assert linked is not None
        shown = account_of(session, linked.id)
    assert shown is not None and shown.method == "linked" and shown.confirmed
