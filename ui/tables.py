"""Read-only tables of text, the way every list screen shows them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QTableView, QTableWidget, QTableWidgetItem

from ui.columns import ColumnFit
from ui.field import error_label as error_label  # where the forms have found it


def read_only_table(headers: Sequence[str], drop_first: Sequence[int] = ()) -> QTableWidget:
    """A table whose columns share its width by what they hold; on a narrow screen the
    columns in ``drop_first`` are hidden, first first, rather than every column cut."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    ColumnFit(table, table.horizontalHeader(), drop_order=drop_first, drop_to_want=True)
    return table


def fit_to_contents(table: QTableView) -> None:
    """Share the table's width among its columns in proportion to what they hold."""
    fit = table.findChild(ColumnFit)
    if fit is not None:
        fit.want_contents()
    else:
        table.resizeColumnsToContents()


def fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    """New rows: a selection kept by row number would name another record."""
    table.clearSelection()
    table.setRowCount(len(rows))
    for number, row in enumerate(rows):
        for column, text in enumerate(row):
            table.setItem(number, column, QTableWidgetItem(text))
    fit_to_contents(table)
