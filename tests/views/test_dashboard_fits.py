"""The Dashboard's reps table fits the window at 1.25× display scaling: on a 1366×768 screen
the window is 1093×614 logical pixels (1366/1.25 × 768/1.25), and the table never scrolls
sideways, and the window is no wider than the screen; on a wide window every column and
seven tiles a row show."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QTableView
from pytestqt.qtbot import QtBot

from ui.tile_rows import TileRows
from views.dashboard_reps import REP_COLUMNS
from views.main_window import MainWindow

SCALE = 1.25


def _shown(table: QTableView) -> list[int]:
    header = table.horizontalHeader()
    return [c for c in range(header.count()) if not header.isSectionHidden(c)]


def _fits(table: QTableView) -> bool:
    header = table.horizontalHeader()
    shown = _shown(table)
    right = max(header.sectionViewportPosition(c) + header.sectionSize(c) for c in shown)
    return (table.viewport().width() > 0 and right <= table.viewport().width()
            and table.horizontalScrollBar().maximum() == 0)


def test_the_reps_table_fits_1366_by_768_at_one_and_a_quarter(qtbot: QtBot,
                                                              window: MainWindow) -> None:
    window.resize(round(1366 / SCALE), round(768 / SCALE))
    window.show_screen("Dashboard")
    view = window.dashboard
    assert view is not None
    qtbot.waitUntil(lambda: view.reps.rowCount() > 0, timeout=20_000)
    table = view.reps
    qtbot.waitUntil(lambda: _fits(table))
    # The window itself is no wider than the screen: the tiles take one more row instead.
    assert window.width() <= round(1366 / SCALE)
    tiles = view.tiles.values()
    assert all(tile.geometry().right() <= view.tile_rows.width() for tile in tiles)
    shown = _shown(table)
    for needed in (0, 2, 3, 4):  # rep, calls, meetings, pipeline
        assert needed in shown
    # Each shown column is wide enough for its header and its widest figure.
    header = table.horizontalHeader()
    for column in shown[1:]:
        assert header.sectionSize(column) >= min(table.sizeHintForColumn(column),
                                                 header.sectionSizeHint(column)) - 2
    window.resize(2000, 1000)
    qtbot.waitUntil(lambda: len(_shown(table)) == len(REP_COLUMNS))
    assert _fits(table) and view.tile_rows.per_row == 7


def test_tiles_take_more_rows_rather_than_more_width(qtbot: QtBot) -> None:
    board = TileRows(most=7, least=4)
    qtbot.addWidget(board)
    for number in range(13):
        tile = QPushButton(f"Tile {number}")
        tile.setMinimumWidth(150)
        board.add(tile)
    # The fewest tiles a row set how narrow it may go: 4 × 150 + 3 × 4 spacing.
    assert board.minimumSizeHint().width() == 612
    board.resize(700, 200)
    board.show()
    qtbot.waitUntil(lambda: board.per_row == 4)
    board.resize(1200, 200)
    qtbot.waitUntil(lambda: board.per_row == 7)
