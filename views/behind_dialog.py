"""The records behind a dashboard number: a plain list the rep reads, then closes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


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
        self.table = QTableWidget(len(rows), len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the Close button
        self.table.verticalHeader().setVisible(False)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.setFocus()

    def rows(self) -> list[list[str]]:
        return [[(self.table.item(r, c) or QTableWidgetItem()).text()
                 for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]
