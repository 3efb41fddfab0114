"""The AE's hand-off inbox: qualified leads to accept or reject within 48 hours."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed, Kind
from models.handoffs import HandoffError, HandoffItem
from models.qualification_summary import QualificationSummary
from models.records import LeadDetail
from ui.confirm import ask_first
from ui.countdown import CountdownBadge, countdown
from ui.keys import shortcut
from ui.list_detail import ListWithDetail, stacked
from ui.tables import fill, read_only_table, selected_row
from views.acceptance_panel import AcceptanceChecks, QualificationCard
from views.background import Background
from views.commanding import Commands, follow
from views.failure_text import failure_text
from views.lead_panel import LeadPanel

COLUMNS = ("Time left", "Lead", "Company", "Cat.", "Reason", "Qualified by", "Next step")


@dataclass(frozen=True)
class InboxServices:
    aes: Callable[[], list[tuple[str, str]]]
    pending: Callable[[str], list[HandoffItem]]
    detail: Callable[[str], LeadDetail | None]
    reject_reasons: Callable[[], list[tuple[str, str]]]
    accept: Callable[[str, str, tuple[str, ...]], Changed[str]]
    reject: Callable[[str, str, str | None, str], Changed[None]]
    now: Callable[[], datetime]
    # Seed 004's criteria (key, label) and the SDR's qualification, for the AE to see.
    criteria: Callable[[], list[tuple[str, str]]] = list
    qualification: Callable[[str], QualificationSummary | None] = lambda _lead: None


class HandoffInbox(QWidget):
    decided = Signal(str, str)  # lead id, "accepted" / "rejected"

    def __init__(self, services: InboxServices, background: Background, commands: Commands,
                 default_ae: str | None, parent: QWidget | None = None,
                 acting_as: str | None = None) -> None:
        super().__init__(parent)
        # Only the AE whose inbox it is decides on its hand-offs; others may look.
        self._acting_as = acting_as
        self._services, self._background = services, background
        self._commands = commands
        self._shown_at = services.now()  # the time left is counted from the last refresh
        heading = QLabel("Hand-off inbox")
        heading.setObjectName("screenTitle")
        self.ae = QComboBox()
        for ae_id, name in services.aes():
            self.ae.addItem(name, ae_id)
        if default_ae:
            self.ae.setCurrentIndex(max(self.ae.findData(default_ae), 0))
        self.summary = QLabel()
        self.table = read_only_table(COLUMNS, cells=self._cells,
                                     colour=lambda item: "problem" if item.overdue else None)
        self.panel = LeadPanel()
        self.learned = QualificationCard()
        self.checks = AcceptanceChecks(services.criteria())
        self.accept_button = QPushButton("Accept  (Ctrl+Enter)")
        self.reason = QComboBox()
        self.reason.addItem("— why reject? —", None)
        for code, label in services.reject_reasons():
            self.reason.addItem(f"{code}: {label}", code)
        # The reasons are long ("B-PROJECT-PLANNED: …"): the box shows their start and
        # shares the row with the note, its list opens wide enough to read them whole; the
        # row no longer sets the window's width (1366×768 at 1.25× is 1093 px).
        self.reason.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reason.setMinimumContentsLength(18)
        self.reason.view().setMinimumWidth(self.reason.view().sizeHintForColumn(0) + 24)
        self.note = QLineEdit(placeholderText="Note for the SDR")
        self.note.setMinimumWidth(self.note.fontMetrics().horizontalAdvance(
            self.note.placeholderText()) + 16)
        self.reject_button = QPushButton("Reject  (Ctrl+R)")
        self.message = QLabel()
        self.message.setObjectName("queueMessage")
        self.time_left = CountdownBadge()  # the chosen hand-off's SLA
        self.confirmation: QMessageBox | None = None
        self._layout(heading)
        self.ae.currentIndexChanged.connect(lambda _: self.refresh())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        self.accept_button.clicked.connect(self.accept_current)
        self.reject_button.clicked.connect(self.reject_current)
        for key, slot, says in (
                ("Ctrl+Return", self.accept_current, "Accept the hand-off"),
                ("Ctrl+Enter", self.accept_current, "Accept the hand-off"),
                ("Ctrl+R", self.reject_current, "Reject the hand-off (asks first)")):
            shortcut(self, key, slot, says, "Hand-off inbox",
                     Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # A qualification hands a lead over; a sync may bring or take hand-offs.
        follow(self, commands, (Kind.HANDOFF,), lambda _c: self.refresh())

    def _layout(self, heading: QLabel) -> None:
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addWidget(QLabel("Inbox of"))
        top.addWidget(self.ae)
        top.addWidget(self.summary, 1)
        decide = QHBoxLayout()
        decide.addWidget(self.time_left)
        decide.addWidget(self.accept_button)
        decide.addSpacing(24)
        decide.addWidget(self.reason, 1)
        decide.addWidget(self.note, 1)
        decide.addWidget(self.reject_button)
        learned = ListWithDetail("inboxLearned", self.learned, self.panel, sizes=(460, 640),
                                 least=(260, 300))
        right = stacked([learned, self.checks, decide, self.message], grows=learned)
        splitter = ListWithDetail("inboxDivider", self.table, right, sizes=(220, 580),
                                  least=(110, 280), orientation=Qt.Orientation.Vertical)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def ae_id(self) -> str | None:
        data = self.ae.currentData()
        return str(data) if data else None

    def _may_decide(self) -> bool:
        return self._acting_as is not None and self._acting_as == self.ae_id()

    def refresh(self) -> None:
        ae = self.ae_id()
        mine = self._may_decide()
        for widget in (self.accept_button, self.reject_button, self.reason, self.note):
            widget.setEnabled(mine)
        self.message.setText("" if mine or ae is None else
                             f"You see {self.ae.currentText()}'s inbox: only they can accept "
                             "or reject these hand-offs.")
        if ae is None:
            self.summary.setText("No AE in this team yet.")
            return
        self._background.run("inbox", lambda: self._services.pending(ae), self._show)

    def _cells(self, item: HandoffItem) -> tuple[str, ...]:
        return (countdown(item.remaining(self._shown_at)), item.name, item.company,
                item.category or "", item.reason_code or "", item.sdr or "",
                item.next_step or "")

    def _show(self, items: list[HandoffItem]) -> None:
        self._shown_at = self._services.now()
        fill(self.table, items)  # rows now hold other hand-offs: select afresh
        overdue = sum(item.overdue for item in items)
        self.summary.setText(
            f"{len(items)} waiting" + (f", {overdue} overdue" if overdue else "")
            if items else "No hand-off is waiting.")
        if items:
            self.table.selectRow(0)
        else:
            self.panel.show_nothing()

    def current(self) -> HandoffItem | None:
        chosen: HandoffItem | None = selected_row(self.table)
        return chosen

    def _on_selection(self) -> None:
        item = self.current()
        self.time_left.show_remaining(
            item.remaining(self._services.now()) if item is not None else None)
        if item is not None:
            self.checks.reset()
            self._background.run("inbox-detail", lambda: self._services.detail(item.lead_id),
                                 self._show_detail)
            self._background.run("inbox-learned",
                                 lambda: self._services.qualification(item.lead_id),
                                 self.learned.show_summary)

    def _show_detail(self, lead: LeadDetail | None) -> None:
        if lead is not None:
            self.panel.show_lead(lead, self._services.now())

    def accept_current(self) -> None:
        item, ae = self.current(), self.ae_id()
        if item is None or ae is None or not self._may_decide():
            return
        confirmed = self.checks.confirmed()
        # Each decision is its own write, in the order made (never replaced by the next).
        self._commands.run("Accept the hand-off",
                           lambda: self._services.accept(item.lead_id, ae, confirmed),
                           lambda _opportunity: self._decided(item, "accepted"),
                           self._refused, action=self.accept_button, origin=self)

    def reject_current(self) -> None:
        item, ae = self.current(), self.ae_id()
        if item is None or ae is None or not self._may_decide():
            return
        code, note = self.reason.currentData(), self.note.text()
        if code is None:
            self.message.setText("Choose why you reject this lead: a reason is required.")
            self.reason.setFocus()
            return
        self.confirmation = ask_first(
            self, "Reject this hand-off?", f"Reject {item.name} ({item.company}) with {code}?",
            "The lead goes back to nurture and leaves your inbox; the SDR sees your reason.",
            "Reject", lambda: self._reject(item, ae, code, note))

    def _reject(self, item: HandoffItem, ae: str, code: str, note: str) -> None:
        self._commands.run(
            "Reject the hand-off", lambda: self._services.reject(item.lead_id, ae, code, note),
            lambda _none: self._decided(item, "rejected"), self._refused,
            action=self.reject_button, origin=self)

    def _decided(self, item: HandoffItem, outcome: str) -> None:
        follow = ("an opportunity is open in your name" if outcome == "accepted"
                  else "it goes back to nurture")
        self.message.setText(f"{item.name} ({item.company}) {outcome}: {follow}.")
        self.note.clear()
        self.reason.setCurrentIndex(0)
        self.decided.emit(item.lead_id, outcome)
        self.refresh()

    def _refused(self, error: BaseException) -> None:
        text = str(error) if isinstance(error, HandoffError) else \
            f"Not saved: {failure_text(error)}"
        self.message.setText(text)
