"""The Sync screen: changes waiting for the CRM, the ones it refused (with its message),
conflicts to settle field by field (keep mine, take theirs, or type the right value), and
e-mails that may not have been sent, which go again only when the rep says so."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.changes import EVERYTHING, Changed, Kind
from models.records import ConflictRecord, OutboxLine, UnsureEmail
from models.stranded_tasks import DroppedTasks, StrandedTask
from ui.tables import fill, read_only_table, selected_row
from views.background import Background
from views.commanding import Commands, follow
from views.failure_text import failure_text
from views.stranded_box import StrandedBox

# The CRM's own names for what the rep knows as these.
RECORD_NAMES = {"CloseHandoff__c": "Close hand-off", "Reference__c": "Reference",
                "ReferenceUse__c": "Reference use", "Qualification__c": "Qualification",
                "Event": "Meeting", "Product2": "Product", "OpportunityLineItem": "Product line",
                "Opportunity": "Deal", "EmailTemplate": "E-mail template"}


def record_name(crm_object: str) -> str:
    return RECORD_NAMES.get(crm_object) or crm_object.removesuffix("__c")


def _state(line: OutboxLine) -> str:
    if line.op == "receive":  # a record from the CRM that was not taken in
        return "not taken in"
    if line.waits_for_rep:
        return "your decision"
    return "refused" if line.state == "failed" else "blocked" if line.error else "waiting"


def _outbox_cells(line: OutboxLine) -> tuple[str, ...]:
    return (_state(line), record_name(line.object),
            "from the CRM" if line.op == "receive" else line.op,
            ", ".join(line.fields[:6]) + ("…" if len(line.fields) > 6 else ""),
            f"{line.created_at.astimezone():%d %b %H:%M}", line.error or "")


def _outbox_colour(line: OutboxLine) -> str | None:
    # A problem for the rep, not a queue to wait on.
    return None if _state(line) == "waiting" else "problem"


def _conflict_cells(conflict: ConflictRecord) -> tuple[str, ...]:
    return (f"{conflict.table} {conflict.record_id[:8]}", conflict.field, str(conflict.base),
            str(conflict.mine), str(conflict.theirs))


def _email_cells(mail: UnsureEmail) -> tuple[str, ...]:
    what = ("may not have been sent: the CRM's answer never came" if mail.unsure
            else f"the CRM refused it: {mail.message}")
    tried = f"{mail.tried_at.astimezone():%d %b %H:%M}" if mail.tried_at else ""
    return (mail.to, mail.subject, tried, what)


@dataclass(frozen=True)
class SyncServices:
    outbox: Callable[[], list[OutboxLine]]
    conflicts: Callable[[], list[ConflictRecord]]
    resolve: Callable[[int, str, Any], Changed[None]]
    # One sync with the CRM at this address (None: the one last used); returns a one-line
    # report, or raises with a message the rep can read.
    sync_now: Callable[[str | None], str]
    crm_url: Callable[[], str | None]
    # E-mails whose send may have failed, and the rep's decision to send one again.
    unsure_emails: Callable[[], list[UnsureEmail]] = list
    resend_email: Callable[[str], Changed[None] | None] = lambda _activity_id: None
    # Tasks that can never go (their record was left deleted), and the rep's word to drop
    # some of them.
    stranded: Callable[[], list[StrandedTask]] = list
    drop_stranded: Callable[[Sequence[str]], Changed[DroppedTasks]] | None = None
    # Takes a listener told, from the sync's thread, what a running sync is doing in the
    # rep's words (it waits for another sync of the profile; it goes on).
    sync_news: Callable[[Callable[[str], None]], None] = lambda _listener: None


class SyncView(QWidget):
    synced = Signal()
    _news = Signal(str)  # from the sync's thread, shown on this one

    def __init__(self, services: SyncServices, background: Background, commands: Commands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background = services, background
        self._commands = commands
        heading = QLabel("Sync")
        heading.setObjectName("screenTitle")
        self.sync_button = QPushButton("Sync now")
        self.crm_url = QLineEdit(placeholderText="CRM address, e.g. https://yourorg.my.salesforce.com")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.outbox = read_only_table(
            ("State", "Object", "Change", "Fields", "Saved", "Answer or reason"),
            cells=_outbox_cells, colour=_outbox_colour)
        self.conflicts = read_only_table(("Record", "Field", "Agreed before", "Mine", "Theirs"),
                                         cells=_conflict_cells)
        self.edited = QLineEdit(placeholderText="The right value, if neither is")
        self.keep_mine = QPushButton("Keep mine")
        self.take_theirs = QPushButton("Take theirs")
        self.use_edited = QPushButton("Use this value")
        self.stranded = StrandedBox()
        self.emails = read_only_table(("To", "Subject", "Tried", "What happened"),
                                      cells=_email_cells)
        self.resend = QPushButton("Resend this e-mail")
        self.resend.setToolTip("Only after checking that it did not arrive: it is sent again "
                               "with the next sync.")
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addWidget(self.crm_url, 1)
        top.addWidget(self.sync_button)
        settle = QHBoxLayout()
        for widget in (self.keep_mine, self.take_theirs, self.edited, self.use_edited):
            settle.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("Changes waiting for the CRM, those that cannot go yet "
                                "(blocked), those it refused, and records from it that "
                                "RepDesk could not take in"))
        layout.addWidget(self.outbox, 2)
        layout.addWidget(QLabel("Conflicts: edited here and in the CRM since the last sync"))
        layout.addWidget(self.conflicts, 1)
        layout.addLayout(settle)
        layout.addWidget(self.stranded)
        self.emails_label = QLabel("E-mails that may not have been sent: check with the "
                                   "recipient or in the CRM, then resend if it did not arrive")
        layout.addWidget(self.emails_label)
        layout.addWidget(self.emails, 1)
        layout.addWidget(self.resend)
        for widget in (self.emails_label, self.emails, self.resend):
            widget.setVisible(False)  # until there is one to decide about
        self.sync_button.clicked.connect(self.sync_now)
        self.resend.clicked.connect(self._resend)
        self.keep_mine.clicked.connect(lambda: self._resolve("mine"))
        self.take_theirs.clicked.connect(lambda: self._resolve("theirs"))
        self.use_edited.clicked.connect(lambda: self._resolve("edited"))
        self.stranded.discard.clicked.connect(lambda: self._drop(self.stranded.chosen()))
        self.stranded.drop_all.clicked.connect(lambda: self._drop(self.stranded.everything()))
        # Its own writes too: the screen shows what the service says changed, not a guess.
        follow(self, commands, (Kind.OUTBOX, Kind.CONFLICT), lambda _c: self.refresh(),
               skip_own=False)
        self._news.connect(self._show_news)

        screen = weakref.ref(self)  # the connection outlives a window rebuilt for a rep

        def heard(text: str) -> None:
            view = screen()
            if view is not None and shiboken6.isValid(view):
                view._news.emit(text)

        services.sync_news(heard)

    def _show_news(self, text: str) -> None:
        # Only while this screen's own sync runs; its end says the rest.
        if not self.sync_button.isEnabled():
            self.message.setText(text)

    def refresh(self) -> None:
        self._background.run("sync-view", lambda: (self._services.outbox(),
                                                   self._services.conflicts(),
                                                   self._services.crm_url(),
                                                   self._services.unsure_emails(),
                                                   self._services.stranded()), self._show)

    def _show(self, loaded: tuple[list[OutboxLine], list[ConflictRecord], str | None,
                                  list[UnsureEmail], list[StrandedTask]]) -> None:
        lines, conflicts, url, emails, stranded = loaded
        self._show_emails(emails)
        self.stranded.show_tasks(stranded)
        if url and not self.crm_url.text():
            self.crm_url.setText(url)
        fill(self.outbox, lines)
        fill(self.conflicts, conflicts)
        if conflicts:
            self.conflicts.selectRow(0)
        for button in (self.keep_mine, self.take_theirs, self.use_edited):
            button.setEnabled(bool(conflicts))

    def _show_emails(self, emails: list[UnsureEmail]) -> None:
        fill(self.emails, emails)
        if emails:
            self.emails.selectRow(0)
        for widget in (self.emails_label, self.emails, self.resend):
            widget.setVisible(bool(emails))

    def _resend(self) -> None:
        mail: UnsureEmail | None = selected_row(self.emails)
        if mail is None:
            return

        def queued(_: object) -> None:
            self.message.setText(f"“{mail.subject}” to {mail.to} goes again with the next "
                                 "sync.")

        def refused(error: BaseException) -> None:
            self.message.setText(str(error) if isinstance(error, ValueError)
                                 else failure_text(error))
            self.refresh()

        # A write: off the UI thread and in order with the others, as every save is.
        self._commands.run("Resend the e-mail",
                           lambda: self._services.resend_email(mail.activity_id),
                           queued, refused, action=self.resend, origin=self)

    def _resolve(self, choice: str) -> None:
        conflict: ConflictRecord | None = selected_row(self.conflicts)
        if conflict is None:
            return
        if choice == "edited" and not self.edited.text().strip():
            self.message.setText("Type the right value first.")
            return
        edited = self.edited.text().strip() or None

        def settled(_: object) -> None:
            self.edited.clear()
            self.message.setText(f"Settled: {conflict.field} — it goes to the CRM with the "
                                 "next sync." if choice != "theirs" else
                                 f"Settled: {conflict.field} takes the CRM's value.")

        self._commands.run("Settle the conflict",
                           lambda: self._services.resolve(conflict.id, choice, edited),
                           settled, lambda error: self.message.setText(
                               f"Not settled: {failure_text(error)}"), origin=self)

    def _drop(self, tasks: list[StrandedTask]) -> None:
        drop = self._services.drop_stranded
        if not tasks or drop is None:
            return

        def dropped(report: DroppedTasks) -> None:
            self.message.setText(_dropped_text(report))

        def refused(error: BaseException) -> None:
            self.message.setText(str(error) if isinstance(error, ValueError)
                                 else f"Nothing was dropped: {failure_text(error)}")
            self.refresh()

        ids = [task.activity_id for task in tasks]
        self._commands.run("Drop tasks that cannot go", lambda: drop(ids), dropped, refused,
                           action=self.stranded, origin=self)

    def sync_in_background(self) -> None:
        """The scheduled sync: only with a CRM address, and never two at once. The stored
        address is read off the UI thread, like every other read."""
        if not self.sync_button.isEnabled():
            return
        if self.crm_url.text().strip():
            self.sync_now()
            return
        self._background.run("sync-address", self._services.crm_url, self._sync_if_connected)

    def _sync_if_connected(self, url: str | None) -> None:
        if url and self.sync_button.isEnabled():
            self.sync_now()

    def sync_now(self) -> None:
        self.sync_button.setEnabled(False)
        self.message.setText("Syncing…")
        url = self.crm_url.text().strip() or None
        self._background.run("sync-now", lambda: self._services.sync_now(url), self._done,
                             self._failed)

    def _done(self, report: str) -> None:
        self.sync_button.setEnabled(True)
        self.message.setText(report)
        self.synced.emit()
        self.refresh()
        # The sync runs beside the command runner (it may take minutes and must not hold the
        # rep's saves up); what it brought may touch any screen.
        self._commands.bus.announce(EVERYTHING, self)

    def _failed(self, error: BaseException) -> None:
        self.sync_button.setEnabled(True)
        self.message.setText(f"The sync stopped: {failure_text(error)} Nothing is lost.")
        self.refresh()


def _dropped_text(report: DroppedTasks) -> str:
    count = len(report.dropped)
    said = "; ".join(f"{t.subject}, {t.occurred_at.astimezone():%d %b %H:%M}"
                     for t in report.dropped[:3]) + ("…" if count > 3 else "")
    text = f"Dropped {count} task{'s' if count != 1 else ''} ({said})."
    if report.removed:
        text += f" {_upper(', '.join(report.removed))}: removed here too, as in the CRM."
    if report.kept:
        text += (f" {_upper(', '.join(report.kept))} stays here: other records still "
                 "point at it (see the list above).")
    return text


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]
