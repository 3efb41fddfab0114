"""Read-only tables and lists over a list of rows, each row's cells made only when drawn.

``QTableWidget`` keeps a ``QTableWidgetItem`` per cell: a list of 6,000 deals made 42,000 of
them at each refresh, and the window's memory grew by tens of megabytes each time. This model
holds the rows as they came and turns one into text when the view asks for it. Every list
screen uses it (``ui.tables.read_only_table``), so no list makes an item per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QListView, QTableView

from ui.theme import brush

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
# Columns are sized from this many rows at most: sizing from all rows of a long list took
# seconds (Known traps).
SIZED_FROM_ROWS = 200


def as_text(row: Any) -> Sequence[str]:
    """The cells of a row that is already its texts."""
    cells: Sequence[str] = row
    return cells


class RowTableModel(QAbstractTableModel, Generic[T]):
    """``cells(row)`` gives a row's texts; ``colour(row)`` the theme colour its text is drawn
    in (None: the usual one)."""

    def __init__(self, headers: Sequence[str], cells: Callable[[T], Sequence[str]] = as_text,
                 colour: Callable[[T], str | None] | None = None) -> None:
        super().__init__()
        self._headers = tuple(headers)
        self._cells, self._colour = cells, colour
        self.rows: list[T] = []

    def set_rows(self, rows: list[T]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            # A narrow column shows the start of a long value; the tooltip shows it whole.
            return self._cells(row)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and self._colour is not None:
            name = self._colour(row)
            return brush(name) if name else None
        return None

    def text(self, row: int, column: int) -> str:
        """What the cell shows."""
        return str(self._cells(self.rows[row])[column])


def row_table(model: RowTableModel[Any]) -> QTableView:
    """A view of ``model`` that reads like ``ui.tables.read_only_table``."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setResizeContentsPrecision(SIZED_FROM_ROWS)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    return table


def text_list() -> QListView:
    """A read-only list of lines (``model().setStringList``): one string per line, no item
    object per line."""
    view = QListView()
    view.setModel(QStringListModel(view))
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setUniformItemSizes(True)
    return view


def show_lines(view: QListView, lines: Sequence[str]) -> None:
    model = view.model()
    assert isinstance(model, QStringListModel)
    model.setStringList(list(lines))


def lines_of(view: QListView) -> list[str]:
    model = view.model()
    assert isinstance(model, QStringListModel)
    return list(model.stringList())
