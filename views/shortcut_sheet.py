"""F1: every keyboard shortcut RepDesk has, read from the shortcuts themselves (and the menus),
so the sheet cannot drift from the keys."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ui.focus import ReadingOrder
from ui.keys import KeyEntry, sheet_rows
from ui.tables import fill, read_only_table


def menu_keys(window: QWidget) -> list[KeyEntry]:
    """The menus' actions that have a key."""
    found = []
    for action in window.findChildren(QAction):
        key = action.shortcut()
        if not key.isEmpty() and action.text():
            found.append(KeyEntry(key.toString(QKeySequence.SequenceFormat.NativeText),
                                  action.text().replace("&", "").rstrip("…. "), "Menus"))
    return found


class ShortcutSheet(ReadingOrder, QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(720, 620)
        self.rows = sheet_rows(menu_keys(window))
        self.table = read_only_table(("Keys", "What they do", "Where"))
        fill(self.table, [(row.keys, row.says, row.where) for row in self.rows])
        note = QLabel("Keys of a form appear here once the form has been opened. Tab and "
                      "Shift+Tab move between fields; arrows move inside a list.")
        note.setWordWrap(True)
        note.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
