"""At 1366 px the screens fit: no table runs off to the right, a column gets the width its
text needs, and a status message is never hidden under the bar's permanent notes."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from ui.list_detail import ListWithDetail
from ui.tables import fill, read_only_table
from views.itemmodels.lead_table_model import Column
from views.main_window import MainWindow


def _shown_columns(table: QTableView) -> list[int]:
    header = table.horizontalHeader()
    return [c for c in range(header.count()) if not header.isSectionHidden(c)]


def _columns_fit(table: QTableView) -> bool:
    header = table.horizontalHeader()
    right = max(header.sectionViewportPosition(c) + header.sectionSize(c)
                for c in _shown_columns(table))
    return right <= table.viewport().width() and not table.horizontalScrollBar().isVisible()


def test_the_leads_columns_fit_a_1366_px_window_and_all_show_on_a_wide_one(
        qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1366, 740)
    window.show_screen("Leads")
    table = window.leads.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0 and _columns_fit(table))
    shown = _shown_columns(table)
    for needed in (Column.NAME, Column.COMPANY, Column.STAGE, Column.EMAIL):
        assert needed in shown
    assert len(shown) < len(Column)  # the least needed wait in the panel beside
    window.resize(2400, 1000)
    qtbot.waitUntil(lambda: len(_shown_columns(table)) == len(Column))
    assert _columns_fit(table)


def test_a_column_gets_the_width_its_longest_text_needs(qtbot: QtBot) -> None:
    table = read_only_table(("Customer", "Contact", "Agreed to", "Since", "Uses", "Last used"))
    qtbot.addWidget(table)
    table.resize(900, 300)
    table.show()
    longest = "Falcon Systems North America Corporation"
    fill(table, [(longest, "Max Braun", "call, logo", "01 Dec 2026", "0", "never"),
                 ("Insight Shipping Ltd", "Ana Costa", "call", "02 Dec 2026", "1", "never")])
    needed = table.fontMetrics().horizontalAdvance(longest)
    qtbot.waitUntil(lambda: table.columnWidth(0) > needed)
    assert _columns_fit(table)
    # the last column no longer takes what the first one needs
    assert table.columnWidth(5) < table.columnWidth(0)


def test_a_long_status_message_keeps_clear_of_the_permanent_notes(
        qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1366, 740)
    status = window.status
    line = ("Accounts matched for 5,000 leads: 3,573 sure, 0 to confirm, 1,427 without one "
            "(1.4 s). " * 3)
    status.showMessage(line, 8000)
    qtbot.waitUntil(lambda: status.message.isVisible())
    notes = [w for w in (status.secrets, status.connection, status.pending, status.last_sync)
             if w.isVisible()]
    assert status.message.geometry().right() < min(w.geometry().left() for w in notes)
    assert status.currentMessage() == line
    assert status.message.toolTip() == line  # the whole of it, when it ends in "…"
    assert status.message.text().endswith("…")


def test_a_divider_dragged_to_the_edge_leaves_both_sides_in_sight(
        qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1366, 740)
    for name, screen in (("Leads", window.leads), ("Queue", window.queue)):
        window.show_screen(name)
        splitter = screen.findChild(ListWithDetail)
        assert splitter is not None and splitter.objectName()  # named: remembered
        for edge in (0, splitter.width()):
            splitter.moveSplitter(edge, 1)
            items, detail = splitter.sizes()
            assert items >= splitter.widget(0).minimumWidth() > 0, name
            assert detail > 0, name
