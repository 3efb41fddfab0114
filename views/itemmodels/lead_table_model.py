"""The leads table: holds only ids and fetches rows a page at a time as they scroll into view."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from models.records import LeadRow

PAGE = 200
MAX_PAGES = 64
ID_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NAME = 0
    COMPANY = 1
    TITLE = 2
    STAGE = 3
    PERSONA = 4
    COUNTRY = 5
    PHONE = 6
    EMAIL = 7
    OWNER = 8
    CREATED = 9


HEADERS = {
    Column.NAME: "Name", Column.COMPANY: "Company", Column.TITLE: "Title",
    Column.STAGE: "Stage", Column.PERSONA: "Persona", Column.COUNTRY: "Country",
    Column.PHONE: "Phone", Column.EMAIL: "E-mail", Column.OWNER: "Owner",
    Column.CREATED: "Created",
}


def _cell(row: LeadRow, column: Column) -> str:
    match column:
        case Column.NAME:
            return row.name
        case Column.COMPANY:
            return row.company
        case Column.TITLE:
            return row.title or ""
        case Column.STAGE:
            return row.stage
        case Column.PERSONA:
            return row.persona or ""
        case Column.COUNTRY:
            return row.country or ""
        case Column.PHONE:
            return row.phone or ""
        case Column.EMAIL:
            return row.email or ""
        case Column.OWNER:
            return row.owner or ""
        case Column.CREATED:
            return row.created_at.astimezone().strftime("%Y-%m-%d %H:%M")


class LeadTableModel(QAbstractTableModel):
    """Rows come from ``fetch_rows(ids)``; a small LRU cache keeps the pages last shown."""

    def __init__(self, fetch_rows: Callable[[Sequence[str]], list[LeadRow]]) -> None:
        super().__init__()
        self._fetch_rows = fetch_rows
        self._ids: list[str] = []
        self._pages: OrderedDict[int, dict[str, LeadRow]] = OrderedDict()

    def set_ids(self, ids: list[str]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self.endResetModel()

    def forget(self) -> None:
        """Rows changed under the table (a write, a sync): read the rows on view again."""
        self._pages.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, len(Column) - 1))

    def lead_id(self, row: int) -> str:
        return self._ids[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[Column(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._row(index.row())
        return _cell(row, Column(index.column())) if row else None

    def _row(self, number: int) -> LeadRow | None:
        page_number = number // PAGE
        page = self._pages.get(page_number)
        if page is None:
            page_ids = self._ids[page_number * PAGE:(page_number + 1) * PAGE]
            page = {row.id: row for row in self._fetch_rows(page_ids)}
            self._pages[page_number] = page
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page.get(self._ids[number])
