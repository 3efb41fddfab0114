"""Managers' editors: the reason-code catalogue and the e-mail templates. Both read the
catalogue off the UI thread and save through the command runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed
from models.emails import TemplateChoice
from models.reason_codes import APPLIES_TO, ReasonCodeRecord
from models.templates import check
from ui.field import error_label
from ui.focus import ReadingOrder
from views.background import Background
from views.commanding import Commands
from views.failure_text import failure_text


@dataclass(frozen=True)
class CatalogueServices:
    reason_codes: Callable[[], list[ReasonCodeRecord]]
    save_reason_code: Callable[[str, str, str, bool], Changed[None]]
    templates: Callable[[], list[TemplateChoice]]
    save_template: Callable[
        [str | None, str, str, str, bool, str | None, str | None, int | None], Changed[str]]
    frameworks: Callable[[], list[str]]
    framework: Callable[[], str]
    set_framework: Callable[[str], Changed[None]]


class ReasonCodesDialog(ReadingOrder, QDialog):
    """The uniform catalogue: add a code, relabel it, or retire it (codes are never deleted)."""

    loaded = Signal()

    def __init__(self, services: CatalogueServices, commands: Commands,
                 background: Background, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._background = background
        self.setWindowTitle("Reason codes")
        self.resize(720, 560)
        self._services, self._commands = services, commands
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Code", "Applies to", "Label", "Active"])
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setColumnWidth(2, 320)
        self.code = QLineEdit(placeholderText="NEW-CODE")
        self.applies_to = QComboBox()
        self.applies_to.addItems(list(APPLIES_TO))
        self.label = QLineEdit(placeholderText="What the rep sees")
        self.add_button = add = QPushButton("Add or change")
        self.error = error_label()
        row = QHBoxLayout()
        for widget in (self.code, self.applies_to, self.label, add):
            row.addWidget(widget)
        close = QPushButton("Close")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(close)
        add.clicked.connect(self.add)
        close.clicked.connect(self.accept)
        self.table.cellChanged.connect(self._cell_changed)
        self.reload()

    def reload(self) -> None:
        self._background.run("reason-codes", self._services.reason_codes, self._show_codes)

    def _show_codes(self, records: list[ReasonCodeRecord]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            for column, text in enumerate((record.code, record.applies_to, record.label)):
                item = QTableWidgetItem(text)
                if column < 2:
                    item.setFlags(item.flags() & ~item.flags().ItemIsEditable)
                self.table.setItem(row, column, item)
            active = QCheckBox()
            active.setChecked(record.active)
            active.toggled.connect(lambda on, r=record: self._save(r.code, r.applies_to,
                                                                    r.label, on))
            self.table.setCellWidget(row, 3, active)
        self.table.blockSignals(False)
        self.loaded.emit()

    def _cell_changed(self, row: int, column: int) -> None:
        if column != 2:
            return
        code, applies_to = self.table.item(row, 0).text(), self.table.item(row, 1).text()
        active = self.table.cellWidget(row, 3)
        assert isinstance(active, QCheckBox)
        self._save(code, applies_to, self.table.item(row, 2).text(), active.isChecked())

    def _save(self, code: str, applies_to: str, label: str, active: bool,
              saved: Callable[[], None] | None = None) -> None:
        def done(_: object) -> None:
            self.error.clear()
            if saved is not None:
                saved()

        def refused(error: BaseException) -> None:
            self.error.setText(failure_text(error))
            self.reload()

        self._commands.run("Save the reason code", lambda: self._services.save_reason_code(
            code, applies_to, label, active), done, refused, origin=self)

    def add(self) -> None:
        def added() -> None:
            self.code.clear()
            self.label.clear()
            self.reload()

        self._save(self.code.text(), self.applies_to.currentText(), self.label.text(), True,
                   added)


class TemplatesDialog(ReadingOrder, QDialog):
    """Templates per funnel stage, persona and cadence step, checked as they are typed."""

    loaded = Signal()

    def __init__(self, services: CatalogueServices, commands: Commands,
                 background: Background, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._background = background
        self.setWindowTitle("E-mail templates")
        self.resize(900, 600)
        self._services, self._commands = services, commands
        self._templates: list[TemplateChoice] = []
        self._editing: str | None = None
        self.list = QListWidget()
        self.name = QLineEdit()
        self.subject = QLineEdit()
        self.body = QPlainTextEdit()
        self.is_html = QCheckBox("HTML body")
        self.stage = QLineEdit(placeholderText="e.g. MQL (empty: any)")
        self.persona = QLineEdit(placeholderText="e.g. exec-buyer (empty: any)")
        self.step = QSpinBox(minimum=0, maximum=20, specialValueText="any step")
        self.error = error_label()
        new, save, close = QPushButton("New"), QPushButton("Save"), QPushButton("Close")
        self.save_button = save
        form = QFormLayout()
        for label, widget in (("Name", self.name), ("Subject", self.subject),
                              ("Stage", self.stage), ("Persona", self.persona),
                              ("Cadence step", self.step), ("", self.is_html)):
            form.addRow(label, widget)
        editor = QVBoxLayout()
        editor.addLayout(form)
        editor.addWidget(self.body, 1)
        editor.addWidget(self.error)
        buttons = QHBoxLayout()
        for button in (new, save, close):
            buttons.addWidget(button)
        editor.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(editor, 3)
        self.list.currentRowChanged.connect(self._show)
        self.subject.textChanged.connect(self._check)
        self.body.textChanged.connect(self._check)
        new.clicked.connect(self.new)
        save.clicked.connect(self.save)
        close.clicked.connect(self.accept)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self._background.run("templates", self._services.templates,
                             lambda templates: self._show_templates(templates, select))

    def _show_templates(self, templates: list[TemplateChoice], select: str | None) -> None:
        self._templates = templates
        self.list.clear()
        self.list.addItems([t.name for t in self._templates])
        ids = [t.id for t in self._templates]
        self.list.setCurrentRow(ids.index(select) if select in ids else 0)
        self.loaded.emit()

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self._templates):
            return
        template = self._templates[row]
        self._editing = template.id
        self.name.setText(template.name)
        self.subject.setText(template.subject)
        self.body.setPlainText(template.body)
        self.is_html.setChecked(template.is_html)
        self.stage.setText(template.stage or "")
        self.persona.setText(template.persona or "")
        self.step.setValue(template.cadence_step or 0)

    def new(self) -> None:
        self._editing = None
        for field in (self.name, self.subject, self.stage, self.persona):
            field.clear()
        self.body.clear()
        self.step.setValue(0)
        self.name.setFocus()

    def _check(self) -> None:
        self.error.setText(" ".join(check(self.subject.text()) + check(self.body.toPlainText())))

    def save(self) -> None:
        values = (self._editing, self.name.text(), self.subject.text(),
                  self.body.toPlainText(), self.is_html.isChecked(),
                  self.stage.text().strip() or None, self.persona.text().strip() or None,
                  self.step.value() or None)
        self._commands.run("Save the template", lambda: self._services.save_template(*values),
                           self._saved, lambda error: self.error.setText(failure_text(error)),
                           action=self.save_button, origin=self)

    def _saved(self, saved: str) -> None:
        self.error.setText("Saved.")
        self.reload(select=saved)
