"""Read-only tables of text, the way every list screen shows them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QTableView

from ui.columns import ColumnFit
from ui.field import error_label as error_label  # where the forms have found it
from ui.row_table import RowTableModel, as_text, row_table


def read_only_table(headers: Sequence[str], drop_first: Sequence[int] = (),
                    cells: Callable[[Any], Sequence[str]] = as_text,
                    colour: Callable[[Any], str | None] | None = None) -> QTableView:
    """A table whose columns share its width by what they hold; on a narrow screen the
    columns in ``drop_first`` are hidden, first first, rather than every column cut.
    ``fill`` gives it its rows; ``cells`` turns a row into its texts (rows given as texts
    by default) and ``colour`` names the theme colour of a row's text."""
    table = row_table(RowTableModel(headers, cells, colour))
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


def model_of(table: QTableView) -> RowTableModel[Any]:
    model = table.model()
    assert isinstance(model, RowTableModel)
    return model


def fill(table: QTableView, rows: Sequence[Any]) -> None:
    """New rows: a selection kept by row number would name another record."""
    table.clearSelection()
    model_of(table).set_rows(list(rows))
    fit_to_contents(table)


def rows_of(table: QTableView) -> list[Any]:
    """The rows ``table`` shows, as given to ``fill``."""
    return model_of(table).rows


def selected_row(table: QTableView) -> Any | None:
    """The row the rep chose, as given to ``fill`` (None: none is)."""
    chosen = table.selectionModel().selectedRows()
    return model_of(table).rows[chosen[0].row()] if chosen else None
