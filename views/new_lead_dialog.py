"""The New lead form: the fields a rep has at hand on a call, checked beside each field, then
compared with the people already in RepDesk. Someone who looks known is shown with the
evidence ("Jane Doe at Acme — lead, e-mail 100, name 96"), to open instead or to create anyway.

Ctrl+Enter saves, Esc closes. What was typed stays in the form until the lead is created.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed
from models.hygiene.entry import KnownPerson
from models.imports.fields import check_person
from models.imports.leads_import import describe_known
from models.imports.new_lead import NewLeadResult
from ui.field import FieldWithMessage
from ui.focus import ReadingOrder
from ui.keys import shortcut
from views.commanding import Commands

log = logging.getLogger(__name__)

FIELDS = (("first_name", "First name"), ("last_name", "Last name *"),
          ("company", "Company *"), ("email", "E-mail"), ("phone", "Phone"),
          ("title", "Title"), ("country", "Country"), ("campaign", "Campaign"))
PLACEHOLDERS = {"email": "name@company.com", "phone": "+49 30 1234567 or with the country",
                "title": "e.g. Head of IT", "country": "DE, US, GB… or the name",
                "campaign": "The campaign that brought the lead (type to choose)"}


@dataclass(frozen=True)
class NewLeadServices:
    # (values typed, create even if the person looks known) → the result
    create: Callable[[dict[str, str], bool], Changed[NewLeadResult]]
    # The campaigns' names, suggested as the rep types (a few dozen rows: read at once).
    campaigns: Callable[[], list[str]] = list


class NewLeadDialog(ReadingOrder, QDialog):
    lead_created = Signal(str)
    known_lead_chosen = Signal(str, str)  # lead id, name

    def __init__(self, services: NewLeadServices, commands: Commands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._commands = services, commands
        self._tried = False
        self.setWindowTitle("New lead")
        self.resize(600, 0)
        self.edits: dict[str, QLineEdit] = {}
        self.campaign_names = QStringListModel(self)
        self.errors: dict[str, QLabel] = {}
        self.notice = QLabel(objectName="formNotice", wordWrap=True)
        self.known_box = QFrame(objectName="knownPerson")  # theme.qss shades it
        self.known_list = QListWidget()
        self.known_list.setWordWrap(True)
        self.known_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.open_known_button = QPushButton("Open that lead")
        self.create_anyway_button = QPushButton("Create anyway")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save  (Ctrl+Enter)")
        self._build()
        self._connect()

    def offer_campaigns(self, names: list[str]) -> None:
        """The campaigns' names, suggested as the rep types in Campaign."""
        self.campaign_names.setStringList(names)

    def _build(self) -> None:
        form = QFormLayout()
        for key, label in FIELDS:
            edit = QLineEdit(placeholderText=PLACEHOLDERS.get(key, ""))
            self.edits[key] = edit
            if key == "campaign":
                # Filled from a read off the UI thread (``offer_campaigns``).
                completer = QCompleter(self.campaign_names, edit)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                edit.setCompleter(completer)
            holder = FieldWithMessage(edit)
            self.errors[key] = holder.message
            form.addRow(label, holder)
        known = QVBoxLayout(self.known_box)
        title = QLabel("This person may already be in RepDesk", objectName="knownTitle")
        known.addWidget(title)
        known.addWidget(QLabel("Open the lead you already have, or create this one anyway.",
                               wordWrap=True))
        self.known_list.setMaximumHeight(80)
        known.addWidget(self.known_list)
        choices = QHBoxLayout()
        choices.addStretch(1)
        choices.addWidget(self.open_known_button)
        choices.addWidget(self.create_anyway_button)
        known.addLayout(choices)
        self.known_box.setVisible(False)
        heading = QLabel("New lead", objectName="screenTitle")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.known_box)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)

    def _connect(self) -> None:
        for edit in self.edits.values():
            edit.textChanged.connect(self._on_edit)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut(self, key, self.save, "Save the lead", "New lead")
        self.open_known_button.clicked.connect(self.open_known)
        self.create_anyway_button.clicked.connect(lambda: self._submit(create_anyway=True))
        self.known_list.currentRowChanged.connect(lambda _: self._update_open_button())

    # -- state -----------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.edits.items()}

    def kept_typing(self) -> bool:
        """Closed without saving, with something typed that the next New lead shows again."""
        return (self.result() != QDialog.DialogCode.Accepted
                and any(text.strip() for text in self.values().values()))

    def reject(self) -> None:
        if any(text.strip() for text in self.values().values()):
            self.notice.setText("Not saved yet: what you typed is still here.")
        super().reject()

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)

    def _on_edit(self) -> None:
        # A changed entry is another person: the earlier match no longer applies.
        self.known_box.setVisible(False)
        if self._tried:
            self.show_problems(check_person(self.values())[1])

    def _set_busy(self, busy: bool, message: str = "") -> None:
        for widget in (self.save_button, self.create_anyway_button, self.open_known_button):
            widget.setEnabled(not busy)
        if busy:
            self.notice.setText(message)
        else:
            self._update_open_button()

    # -- saving ----------------------------------------------------------------------------
    def save(self) -> None:
        """Check the fields here, then look for the person in the store and create it."""
        if not self.save_button.isEnabled():
            return
        self._tried = True
        problems = check_person(self.values())[1]
        self.show_problems(problems)
        if problems:
            self.notice.setText("Some fields need attention before saving.")
            first = next(key for key, _ in FIELDS if key in problems)
            self.edits[first].setFocus()
            return
        self._submit(create_anyway=False)

    def _submit(self, create_anyway: bool) -> None:
        values = self.values()
        self._set_busy(True, "Saving…" if create_anyway
                       else "Checking whether this person is already in RepDesk…")
        # A write: in order with the others, and the screens showing leads hear of it. The
        # screen that opened the dialog shows the new lead itself.
        self._commands.run("Save the new lead",
                           lambda: self._services.create(values, create_anyway),
                           self._on_result, self._on_error, origin=self.parentWidget())

    def _on_result(self, result: NewLeadResult) -> None:
        self._set_busy(False)
        if result.problems:
            self.show_problems(result.problems)
            self.notice.setText("Some fields need attention before saving.")
        elif result.known:
            self._show_known(result.known)
        elif result.lead_id:
            self.notice.setText("")
            self.lead_created.emit(result.lead_id)
            self.accept()

    def _on_error(self, error: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(error, (ValueError, LookupError)):
            log.error("creating a lead failed", exc_info=error)
        self.notice.setText(f"The lead was not saved: {error} What you typed is still here; "
                            "try again.")

    def _show_known(self, known: tuple[KnownPerson, ...]) -> None:
        self.known_list.clear()
        for person in known:
            item = QListWidgetItem(describe_known(person))
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.known_list.addItem(item)
        self.known_list.setCurrentRow(0)
        self.known_box.setVisible(True)
        self.notice.setText("Nothing saved yet.")
        self._update_open_button()
        self.open_known_button.setFocus()

    def _chosen(self) -> KnownPerson | None:
        item = self.known_list.currentItem()
        person = item.data(Qt.ItemDataRole.UserRole) if item else None
        return person if isinstance(person, KnownPerson) else None

    def _update_open_button(self) -> None:
        person = self._chosen()
        self.open_known_button.setEnabled(person is not None and person.kind == "lead")
        self.open_known_button.setToolTip(
            "" if person is None or person.kind == "lead"
            else "A contact at an account: look it up in the account's team.")

    def open_known(self) -> None:
        person = self._chosen()
        if person is not None and person.kind == "lead":
            self.known_lead_chosen.emit(person.id, person.name)
            self.accept()
