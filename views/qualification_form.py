"""The qualification form: category, reason code, the team's framework, competitors, product
feedback and next step, with the lead's registration answers already filled in.

Keyboard only is enough: Alt+A..D pick the category, Tab walks the fields, Ctrl+Enter saves,
Esc closes and keeps a draft. Every change is saved as a draft, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed
from models.qualification import (
    QualificationContext,
    QualificationDraft,
    QualificationSaved,
    frameworks,
    known_answers,
)
from ui.dates import date_field
from ui.field import FieldWithMessage
from ui.fit import fit_on_screen, scrolling
from ui.keys import shortcut
from views.background import Background
from views.commanding import Commands
from views.draft_form import DraftForm

CATEGORIES = (("A", "A  opportunity this quarter"), ("B", "B  opportunity next quarter"),
              ("C", "C  keep in touch (nurture)"), ("D", "D  unqualified"))


@dataclass(frozen=True)
class QualifyServices:
    problems: Callable[[QualificationDraft], dict[str, str]]
    save: Callable[[str, QualificationDraft], Changed[QualificationSaved]]
    load_draft: Callable[[str], dict[str, Any] | None]
    save_draft: Callable[[str, dict[str, Any]], Changed[None]]
    discard_draft: Callable[[str], Changed[None]]




def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


class QualificationForm(DraftForm):
    qualified = Signal(object)

    def __init__(self, context: QualificationContext, services: QualifyServices,
                 commands: Commands, background: Background,
                 kept: dict[str, Any] | None, parent: QWidget | None = None) -> None:
        """``kept``: the draft kept for this lead, read with ``context`` off the UI thread."""
        super().__init__(context.lead.id, services.load_draft, services.save_draft,
                         services.discard_draft, commands, background, parent)
        self._context, self._services = context, services
        lead = context.lead
        self.setWindowTitle(f"Qualify {lead.name} — {lead.company}")
        fit_on_screen(self, 720, 760)
        self.notice.setObjectName("formNotice")
        self.category_group = QButtonGroup(self)
        self.reason = QComboBox()
        self.framework = QComboBox()
        self.framework.addItems(list(frameworks()))
        self.framework.setCurrentText(context.framework)
        self.criteria_box = QGroupBox()
        self.criteria_form = QFormLayout(self.criteria_box)
        self.answers: dict[str, QLineEdit] = {}
        self.competitors = QLineEdit(placeholderText="Competitors, separated by commas")
        completer = QCompleter(list(context.competitors), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.competitors.setCompleter(completer)
        self.features = QLineEdit(placeholderText="Requested features, separated by commas")
        self.competitive_info = QPlainTextEdit(placeholderText="What they said about others")
        self.competitive_info.setTabChangesFocus(True)
        self.competitive_info.setFixedHeight(60)
        self.next_step = QLineEdit(placeholderText="What happens next, for the AE")
        self.follow_up = date_field()
        self.follow_up.setDate(QDate.currentDate().addMonths(3))
        self.ae = QComboBox()
        for ae in context.aes:
            self.ae.addItem(f"{ae.name} ({ae.region or 'any region'}, {ae.pending} pending)",
                            ae.id)
        if context.suggested_ae:
            self.ae.setCurrentIndex(self.ae.findData(context.suggested_ae))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save  (Ctrl+Enter)")
        self._build()
        self.restore_kept(kept)
        self._connect()
        self._update_visibility()

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        categories = QHBoxLayout()
        for key, label in CATEGORIES:
            button = QRadioButton(label)
            button.setProperty("category", key)
            self.category_group.addButton(button)
            categories.addWidget(button)
        form = QFormLayout()
        form.addRow("Category  (Alt+A…D)", self._with_error("category", categories))
        form.addRow("Reason code", self._with_error("reason_code", self.reason))
        form.addRow("Framework", self._with_error("framework", self.framework))
        form.addRow(self.criteria_box)
        form.addRow("Competitors", self.competitors)
        form.addRow("Requested features", self.features)
        form.addRow("Competitive info", self.competitive_info)
        form.addRow("Next step", self._with_error("next_step", self.next_step))
        self.follow_up_row = self._with_error("follow_up_on", self.follow_up)
        form.addRow("Follow up on", self.follow_up_row)
        self.ae_row = self._with_error("handoff_to_id", self.ae)
        form.addRow("Hand off to", self.ae_row)
        self.form = form
        heading = QLabel(f"Qualify {self._context.lead.name} — {self._context.lead.company}")
        heading.setObjectName("screenTitle")
        body = QVBoxLayout()
        body.addWidget(heading)
        body.addWidget(self.notice)
        body.addLayout(form)
        body.addStretch(1)
        # The fields scroll; Save and Cancel stay in view however short the screen.
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(body), 1)
        layout.addWidget(self.buttons)
        self._build_criteria()

    def _with_error(self, key: str, field: QWidget | QHBoxLayout) -> QWidget:
        holder = FieldWithMessage(field)
        self.errors[key] = holder.message
        return holder

    def _build_criteria(self) -> None:
        typed = {name: edit.text() for name, edit in self.answers.items()}
        while self.criteria_form.rowCount():
            self.criteria_form.removeRow(0)
        self.answers = {}
        framework = self.framework.currentText()
        self.criteria_box.setTitle(f"{framework} criteria")
        known = known_answers(self._context.lead.registration, framework)
        for criterion in frameworks()[framework]:
            edit = QLineEdit()
            if criterion in known:
                edit.setText(known[criterion])
                edit.setToolTip("Known from the registration form: do not ask again.")
                edit.setProperty("known", True)  # theme.qss shades it
            if typed.get(criterion):
                edit.setText(typed[criterion])
            edit.textChanged.connect(self.changed)
            self.answers[criterion] = edit
            label = f"{criterion}  ✓ known" if criterion in known else criterion
            self.criteria_form.addRow(label, self._with_error(f"answer:{criterion}", edit))

    def _connect(self) -> None:
        self.category_group.buttonToggled.connect(lambda *_: self._on_category())
        self.framework.currentTextChanged.connect(lambda _: (self._build_criteria(),
                                                             self.changed()))
        for signal in (self.reason.currentIndexChanged, self.ae.currentIndexChanged,
                       self.competitors.textChanged, self.features.textChanged,
                       self.competitive_info.textChanged, self.next_step.textChanged,
                       self.follow_up.dateChanged):
            signal.connect(self.changed)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut(self, key, self.save, "Save the qualification", "Qualification form")
        for key, label in CATEGORIES:
            shortcut(self, f"Alt+{key}", lambda k=key: self.set_category(k),
                     f"Category {label.split('  ')[1]}", "Qualification form")

    # -- state -----------------------------------------------------------------------------
    def category(self) -> str | None:
        button = self.category_group.checkedButton()
        return str(button.property("category")) if button else None

    def set_category(self, key: str) -> None:
        for button in self.category_group.buttons():
            if button.property("category") == key:
                button.setChecked(True)

    def _on_category(self) -> None:
        chosen = self.category()
        current = self.reason.currentData()
        self.reason.blockSignals(True)
        self.reason.clear()
        self.reason.addItem("— choose a reason —", None)
        for reason in self._context.reasons:
            if reason.category == chosen:
                self.reason.addItem(f"{reason.code}: {reason.label}", reason.code)
        index = self.reason.findData(current)
        self.reason.setCurrentIndex(max(index, 0))
        self.reason.blockSignals(False)
        self._update_visibility()
        self.changed()

    def _update_visibility(self) -> None:
        chosen = self.category()
        self.ae_row.setVisible(chosen in ("A", "B"))
        self.form.labelForField(self.ae_row).setVisible(chosen in ("A", "B"))
        self.follow_up_row.setVisible(chosen == "C")
        self.form.labelForField(self.follow_up_row).setVisible(chosen == "C")

    def draft(self) -> QualificationDraft:
        return QualificationDraft(
            category=self.category(), reason_code=self.reason.currentData(),
            framework=self.framework.currentText(),
            answers={k: e.text() for k, e in self.answers.items() if e.text().strip()},
            competitors=_split(self.competitors.text()),
            requested_features=_split(self.features.text()),
            competitive_info=self.competitive_info.toPlainText(),
            next_step=self.next_step.text(),
            follow_up_on=self.follow_up.date().toPython() if self.category() == "C" else None,
            handoff_to_id=self.ae.currentData() if self.category() in ("A", "B") else None)

    def draft_data(self) -> dict[str, Any]:
        return self.draft().to_json()

    def problems_check(self) -> Callable[[], dict[str, str]]:
        draft, check = self.draft(), self._services.problems
        return lambda: check(draft)

    # -- drafts ----------------------------------------------------------------------------
    def restore(self, data: dict[str, Any] | None) -> None:
        if not data:
            return
        draft = QualificationDraft.from_json(data)
        self.framework.setCurrentText(draft.framework)
        self._build_criteria()
        if draft.category:
            self.set_category(draft.category)
            self._on_category()
            self.reason.setCurrentIndex(max(self.reason.findData(draft.reason_code), 0))
        for criterion, answer in draft.answers.items():
            if criterion in self.answers:
                self.answers[criterion].setText(answer)
        self.competitors.setText(", ".join(draft.competitors))
        self.features.setText(", ".join(draft.requested_features))
        self.competitive_info.setPlainText(draft.competitive_info)
        self.next_step.setText(draft.next_step)
        if draft.follow_up_on:
            self.follow_up.setDate(QDate(draft.follow_up_on))
        if draft.handoff_to_id:
            self.ae.setCurrentIndex(max(self.ae.findData(draft.handoff_to_id), 0))
        self.notice.setText("Restored your unsaved draft.")

    # -- closing ---------------------------------------------------------------------------
    def save(self) -> None:
        draft, lead_id = self.draft(), self._context.lead.id
        self.submit(lambda: self._services.save(lead_id, draft), self.qualified.emit)
