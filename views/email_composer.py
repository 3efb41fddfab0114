"""Writing a template e-mail: pick a template, see it filled with the lead's or the deal's
data, edit, send.

Merge fields with no value are highlighted in the preview and block sending; so do template
errors (an unknown field, an unclosed brace). People who opted out cannot be mailed.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed
from models.emails import TemplateChoice
from models.templates import TemplateError, render
from ui.focus import ReadingOrder
from ui.keys import shortcut
from ui.theme import coloured, hex_colour
from views.commanding import Commands
from views.failure_text import failure_text

MARK = ("\x00", "\x01")
HIGHLIGHT = (f"<span style='background:{hex_colour('highlight_back')};"
             f"color:{hex_colour('highlight_text')}'>", "</span>")


class Addressee(Protocol):
    """Whom the mail goes to: a lead (``LeadDetail``) or a deal's contact (``DealAddressee``)."""

    @property
    def id(self) -> str: ...  # the lead's or the opportunity's id
    @property
    def name(self) -> str: ...
    @property
    def company(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def email_opt_out(self) -> bool: ...


@dataclass(frozen=True)
class ComposerServices:
    templates: Callable[[Any], list[TemplateChoice]]
    values: Callable[[str], dict[str, str | None]]
    # lead or deal id, subject and body as edited (merge fields unfilled), delivery, HTML or not
    send: Callable[[str, str, str, str, bool], Changed[Any]]
    mailto: Callable[[str, str, str], str]
    no_address: str = "This lead has no e-mail address: add one in the clean-up block."
    preview_title: str = "Preview with the lead's data"


def preview_html(subject: str, body: str, is_html: bool) -> str:
    """The preview, with every unresolved field highlighted; lead data is always escaped."""
    def mark(text: str, as_html: bool) -> str:
        shown = text if as_html else html.escape(text).replace("\n", "<br>")
        return shown.replace(MARK[0], HIGHLIGHT[0]).replace(MARK[1], HIGHLIGHT[1])

    return (f"<p><b>Subject:</b> {mark(subject, False)}</p><hr>"
            f"{mark(body, is_html)}")


class EmailComposer(ReadingOrder, QDialog):
    sent = Signal(object)
    mailto_requested = Signal(str)

    def __init__(self, lead: Addressee, services: ComposerServices, commands: Commands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lead, self._services = lead, services
        self._commands = commands
        self._sending = False
        self._values = services.values(lead.id)
        self._templates = services.templates(lead)
        self._sendable = False
        self.setWindowTitle(f"E-mail to {lead.name}")
        self.resize(980, 640)
        self.recipient = QLabel()
        self.template = QComboBox()
        for choice in self._templates:
            self.template.addItem(choice.name, choice.id)
        self.subject = QLineEdit()
        self.body = QPlainTextEdit()
        self.preview = QTextBrowser()
        self.problems = QLabel()
        self.problems.setObjectName("fieldError")
        self.problems.setWordWrap(True)
        self.send_button = QPushButton("Send through the CRM  (Ctrl+Enter)")
        self.mail_app_button = QPushButton("Open in my mail app")
        cancel = QPushButton("Cancel")
        self._build(cancel)
        self.template.currentIndexChanged.connect(lambda _: self.load_template())
        self.subject.textChanged.connect(self.update_preview)
        self.body.textChanged.connect(self.update_preview)
        self.send_button.clicked.connect(lambda: self.send("crm"))
        self.mail_app_button.clicked.connect(lambda: self.send("mailto"))
        cancel.clicked.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut(self, key, lambda: self.send("crm"), "Send through the CRM", "E-mail")
        self.load_template()

    def _build(self, cancel: QPushButton) -> None:
        heading = QLabel(f"E-mail to {self._lead.name} — {self._lead.company}")
        heading.setObjectName("screenTitle")
        fields = QFormLayout()
        fields.addRow("To", self.recipient)
        fields.addRow("Template", self.template)
        fields.addRow("Subject", self.subject)
        editor = QWidget()
        left = QVBoxLayout(editor)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(fields)
        left.addWidget(self.body, 1)
        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(QLabel(self._services.preview_title))
        side.addWidget(self.preview, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(editor)
        splitter.addWidget(right)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problems, 1)
        buttons.addWidget(self.mail_app_button)
        buttons.addWidget(self.send_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def current_template(self) -> TemplateChoice | None:
        index = self.template.currentIndex()
        return self._templates[index] if 0 <= index < len(self._templates) else None

    def load_template(self) -> None:
        choice = self.current_template()
        self.subject.setText(choice.subject if choice else "")
        self.body.setPlainText(choice.body if choice else "")
        self.update_preview()

    def _blocker(self) -> str | None:
        if self._lead.email_opt_out:
            return (f"{self._lead.name} opted out of e-mail: RepDesk will not send it. "
                    "Call instead, or leave a note.")
        if not self._lead.email:
            return self._services.no_address
        return None

    def update_preview(self) -> None:
        blocker = self._blocker()
        self.recipient.setText(self._lead.email or "no address")
        choice = self.current_template()
        is_html = bool(choice and choice.is_html)
        try:
            subject = render(self.subject.text(), self._values, mark_unresolved=MARK)
            body = render(self.body.toPlainText(), self._values, as_html=is_html,
                          mark_unresolved=MARK)
        except TemplateError as error:
            self.preview.setHtml(f"<p>{coloured(html.escape(str(error)), 'problem')}</p>")
            self._set_sendable(False, str(error))
            return
        self.preview.setHtml(preview_html(subject.text, body.text, is_html))
        unresolved = subject.unresolved + body.unresolved
        if blocker:
            self._set_sendable(False, blocker)
        elif subject.refused or body.refused:
            self._set_sendable(False, " ".join(subject.refused + body.refused))
        elif unresolved:
            self._set_sendable(False, "No value for " + ", ".join(
                f"{{!{name}}}" for name in dict.fromkeys(unresolved))
                + ": type it in, or add a default like {!Lead.FirstName,there}.")
        elif not self.subject.text().strip():
            self._set_sendable(False, "The e-mail needs a subject.")
        else:
            self._set_sendable(True, "")

    def _set_sendable(self, sendable: bool, problem: str) -> None:
        self._sendable = sendable
        self.send_button.setEnabled(sendable)
        self.mail_app_button.setEnabled(sendable)
        self.problems.setText(problem)

    def send(self, delivery: str) -> None:
        if not self._sendable or self._sending:
            return
        choice = self.current_template()
        is_html = bool(choice and choice.is_html)
        subject = render(self.subject.text(), self._values).text
        body = render(self.body.toPlainText(), self._values, as_html=is_html).text
        lead_id, email = self._lead.id, self._lead.email
        edited_subject, edited_body = self.subject.text(), self.body.toPlainText()
        self._sending = True

        def sent(logged: Any) -> None:
            self._sending = False
            if delivery == "mailto" and email:
                self.mailto_requested.emit(self._services.mailto(email, subject, body))
            self.sent.emit(logged)
            self.accept()

        def refused(error: BaseException) -> None:
            self._sending = False
            self.problems.setText(failure_text(error))

        self._commands.run("Send the e-mail",
                           lambda: self._services.send(lead_id, edited_subject, edited_body,
                                                       delivery, is_html),
                           sent, refused, origin=self,
                           action=self.send_button if delivery == "crm" else
                           self.mail_app_button)
