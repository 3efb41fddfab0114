"""Editing a rep's day: the blocks of every day, or of one weekday."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ui.focus import ReadingOrder
from views.commanding import Commands
from views.failure_text import failure_text

Block = tuple[str, int, int | None]
KINDS = ("clean-up", "e-mail", "calls", "wrap-up")
DAYS = ("Every day", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
        "Sunday")


class DayBlocksDialog(ReadingOrder, QDialog):
    """``load(weekday)`` gives the blocks, ``save(weekday, blocks)`` stores them or raises
    ValueError with a message for the rep."""

    def __init__(self, load: Callable[[int | None], list[Block]],
                 save: Callable[[int | None, list[Block]], object],
                 commands: Commands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._commands = commands
        self.setWindowTitle("My day's blocks")
        self.resize(560, 380)
        self._load, self._save = load, save
        self.weekday = QComboBox()
        self.weekday.addItems(DAYS)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Kind", "Minutes", "Target (touches)"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.error = QLabel()
        self.error.setObjectName("formError")
        add, remove = QPushButton("Add block"), QPushButton("Remove block")
        add.clicked.connect(lambda: self._add_row(("calls", 60, None)))
        remove.clicked.connect(self._remove_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(QLabel("Schedule for"))
        row.addWidget(self.weekday, 1)
        edits = QHBoxLayout()
        edits.addWidget(add)
        edits.addWidget(remove)
        edits.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addLayout(edits)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.weekday.currentIndexChanged.connect(lambda _: self.reload())
        self.reload()

    def chosen_weekday(self) -> int | None:
        index = self.weekday.currentIndex()
        return None if index == 0 else index - 1

    def reload(self) -> None:
        self.table.setRowCount(0)
        for block in self._load(self.chosen_weekday()):
            self._add_row(block)
        self.error.clear()

    def _add_row(self, block: Block) -> None:
        kind, minutes, target = block
        row = self.table.rowCount()
        self.table.insertRow(row)
        kinds = QComboBox()
        kinds.addItems(KINDS)
        kinds.setCurrentText(kind)
        length = QSpinBox(minimum=0, maximum=16 * 60, singleStep=15, suffix=" min")
        length.setValue(minutes)
        goal = QSpinBox(minimum=0, maximum=1000, specialValueText="none")
        goal.setValue(target or 0)
        self.table.setCellWidget(row, 0, kinds)
        self.table.setCellWidget(row, 1, length)
        self.table.setCellWidget(row, 2, goal)

    def _remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def blocks(self) -> list[Block]:
        rows: list[Block] = []
        for row in range(self.table.rowCount()):
            kind = self.table.cellWidget(row, 0)
            minutes = self.table.cellWidget(row, 1)
            target = self.table.cellWidget(row, 2)
            assert isinstance(kind, QComboBox) and isinstance(minutes, QSpinBox)
            assert isinstance(target, QSpinBox)
            rows.append((kind.currentText(), minutes.value(), target.value() or None))
        return rows

    def save(self) -> None:
        weekday, blocks = self.chosen_weekday(), self.blocks()
        self._commands.run("Save the day's blocks", lambda: self._save(weekday, blocks),
                           lambda _: self.accept(),
                           lambda error: self.error.setText(failure_text(error)),
                           action=self.save_button, origin=self)
