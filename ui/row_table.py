"""A read-only table over a list of rows, each row's cells made only when drawn.

``QTableWidget`` keeps a ``QTableWidgetItem`` per cell: a list of 6,000 deals made 42,000 of
them at each refresh, and the window's memory grew by tens of megabytes each time. This model
holds the rows as they came and turns one into text when the view asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
# Columns are sized from this many rows at most: sizing from all rows of a long list took
# seconds (Known traps).
SIZED_FROM_ROWS = 200


class RowTableModel(QAbstractTableModel, Generic[T]):
    def __init__(self, headers: Sequence[str], cells: Callable[[T], Sequence[str]]) -> None:
        super().__init__()
        self._headers = tuple(headers)
        self._cells = cells
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
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        return self._cells(self.rows[index.row()])[index.column()]


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
