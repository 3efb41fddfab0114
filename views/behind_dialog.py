"""The records behind a dashboard number: a plain list the rep reads, then closes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ui.row_table import RowTableModel, row_table


class BehindDialog(QDialog):
    def __init__(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
                 parent: QWidget | None = None, note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 460)
        layout = QVBoxLayout(self)
        count = len(rows)
        self.summary = QLabel(f"{title}: {count:,} record{'s' * (count != 1)}"
                              + (f" · {note}" if note else ""))
        layout.addWidget(self.summary)
        # A number may stand for thousands of records: cells are made only when drawn.
        self._model: RowTableModel[Sequence[str]] = RowTableModel(headers)
        self._model.set_rows(list(rows))
        self.table = row_table(self._model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the Close button
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.setFocus()

    def rows(self) -> list[list[str]]:
        return [list(row) for row in self._model.rows]
