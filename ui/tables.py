"""Read-only tables of text, the way every list screen shows them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QTableView, QTableWidget, QTableWidgetItem

from ui.columns import ColumnFit
from ui.field import error_label as error_label  # where the forms have found it


def read_only_table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    ColumnFit(table, table.horizontalHeader())
    return table


def fit_to_contents(table: QTableView) -> None:
    """Share the table's width among its columns in proportion to what they hold."""
    fit = table.findChild(ColumnFit)
    if fit is not None:
        fit.want_contents()
    else:
        table.resizeColumnsToContents()


def fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for number, row in enumerate(rows):
        for column, text in enumerate(row):
            table.setItem(number, column, QTableWidgetItem(text))
    fit_to_contents(table)
