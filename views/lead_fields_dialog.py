"""A lead's contact details in a small form: the rep's own correction (Edit lead), or, in demo
mode, the change another user makes in the CRM. Saving runs off the UI thread; problems are
shown under each field and nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed
from ui.focus import ReadingOrder
from views.commanding import Commands
from views.failure_text import failure_text

# (field → text) → problems, field → message; empty when saved. Returns a line for the rep,
# with what the save changed.
SaveFields = Callable[[dict[str, str]], Changed[tuple[dict[str, str], str]]]


class LeadFieldsDialog(ReadingOrder, QDialog):
    saved = Signal(str)  # the line to show the rep

    def __init__(self, title: str, intro: str, labels: dict[str, str],
                 values: dict[str, str], save: SaveFields, commands: Commands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)  # an e-mail address reads whole
        self._save, self._commands = save, commands
        self.intro = QLabel(intro, wordWrap=True)
        self.fields: dict[str, QLineEdit] = {}
        self.problems: dict[str, QLabel] = {}
        form = QFormLayout()
        for name, label in labels.items():
            edit = QLineEdit(values.get(name, ""), objectName=f"field_{name}")
            problem = QLabel(objectName="fieldProblem", wordWrap=True)
            problem.hide()
            self.fields[name], self.problems[name] = edit, problem
            form.addRow(label, edit)
            form.addRow("", problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def typed(self) -> dict[str, str]:
        return {name: edit.text().strip() for name, edit in self.fields.items()}

    def save(self) -> None:
        typed = self.typed()
        self._commands.run(self.windowTitle(), lambda: self._save(typed), self._done,
                           self._failed, action=self.buttons, origin=self)

    def _done(self, outcome: tuple[dict[str, str], str]) -> None:
        problems, line = outcome
        for name, label in self.problems.items():
            label.setText(problems.get(name, ""))
            label.setVisible(name in problems)
        if not problems:
            self.saved.emit(line)
            self.accept()

    def _failed(self, error: BaseException) -> None:
        self.intro.setText(f"Not saved: {failure_text(error)}")


@dataclass(frozen=True)
class LeadEditServices:
    labels: dict[str, str]  # field → label, in the form's order
    values: Callable[[str], dict[str, str] | None]  # lead id → its fields as text
    save: Callable[[str, dict[str, str]], dict[str, str]]  # → problems, empty when saved


@dataclass(frozen=True)
class DemoServices:
    """Demo mode's own CRM, where the rep can play another user of the team."""

    other_user: str  # who the change is made as
    # The lead's fields as the CRM holds them; raises ValueError when it is not there yet.
    crm_values: Callable[[str], dict[str, str]]
    # Writes the change in the CRM; a line for the rep. Raises ValueError with the reason.
    change_in_crm: Callable[[str, dict[str, str]], str]
