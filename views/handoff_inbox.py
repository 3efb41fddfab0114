"""The AE's hand-off inbox: qualified leads to accept or reject within 48 hours."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.handoffs import HandoffError, HandoffItem
from models.qualification_summary import QualificationSummary
from models.records import LeadDetail
from ui.tables import read_only_table
from views.acceptance_panel import AcceptanceChecks, QualificationCard
from views.background import Background
from views.lead_panel import LeadPanel

COLUMNS = ("Time left", "Lead", "Company", "Cat.", "Reason", "Qualified by", "Next step")


@dataclass(frozen=True)
class InboxServices:
    aes: Callable[[], list[tuple[str, str]]]
    pending: Callable[[str], list[HandoffItem]]
    detail: Callable[[str], LeadDetail | None]
    reject_reasons: Callable[[], list[tuple[str, str]]]
    accept: Callable[[str, str, tuple[str, ...]], str]
    reject: Callable[[str, str, str | None, str], None]
    now: Callable[[], datetime]
    # Seed 004's criteria (key, label) and the SDR's qualification, for the AE to see.
    criteria: Callable[[], list[tuple[str, str]]] = list
    qualification: Callable[[str], QualificationSummary | None] = lambda _lead: None


def countdown(remaining: timedelta) -> str:
    hours = int(abs(remaining).total_seconds() // 3600)
    minutes = int(abs(remaining).total_seconds() % 3600 // 60)
    if remaining < timedelta(0):
        return f"OVERDUE {hours} h {minutes:02d}"
    return f"{hours} h {minutes:02d} left"


class HandoffInbox(QWidget):
    decided = Signal(str, str)  # lead id, "accepted" / "rejected"

    def __init__(self, services: InboxServices, background: Background,
                 default_ae: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background = services, background
        self._items: list[HandoffItem] = []
        heading = QLabel("Hand-off inbox")
        heading.setObjectName("screenTitle")
        self.ae = QComboBox()
        for ae_id, name in services.aes():
            self.ae.addItem(name, ae_id)
        if default_ae:
            self.ae.setCurrentIndex(max(self.ae.findData(default_ae), 0))
        self.summary = QLabel()
        self.table = read_only_table(COLUMNS)
        self.panel = LeadPanel()
        self.learned = QualificationCard()
        self.checks = AcceptanceChecks(services.criteria())
        self.accept_button = QPushButton("Accept  (Ctrl+Enter)")
        self.reason = QComboBox()
        self.reason.addItem("— why reject? —", None)
        for code, label in services.reject_reasons():
            self.reason.addItem(f"{code}: {label}", code)
        self.note = QLineEdit(placeholderText="Note for the SDR")
        self.reject_button = QPushButton("Reject  (Ctrl+R)")
        self.message = QLabel()
        self.message.setObjectName("queueMessage")
        self._layout(heading)
        self.ae.currentIndexChanged.connect(lambda _: self.refresh())
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.accept_button.clicked.connect(self.accept_current)
        self.reject_button.clicked.connect(self.reject_current)
        for key, slot in (("Ctrl+Return", self.accept_current),
                          ("Ctrl+Enter", self.accept_current), ("Ctrl+R", self.reject_current)):
            QShortcut(QKeySequence(key), self, slot,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _layout(self, heading: QLabel) -> None:
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addWidget(QLabel("Inbox of"))
        top.addWidget(self.ae)
        top.addWidget(self.summary, 1)
        decide = QHBoxLayout()
        decide.addWidget(self.accept_button)
        decide.addSpacing(24)
        decide.addWidget(self.reason, 1)
        decide.addWidget(self.note, 1)
        decide.addWidget(self.reject_button)
        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        learned = QSplitter(Qt.Orientation.Horizontal)
        learned.addWidget(self.learned)
        learned.addWidget(self.panel)
        learned.setSizes([460, 640])
        side.addWidget(learned, 1)
        side.addWidget(self.checks)
        side.addLayout(decide)
        side.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setSizes([300, 500])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def ae_id(self) -> str | None:
        data = self.ae.currentData()
        return str(data) if data else None

    def refresh(self) -> None:
        ae = self.ae_id()
        if ae is None:
            self.summary.setText("No AE in this team yet.")
            return
        self._background.run("inbox", lambda: self._services.pending(ae), self._show)

    def _show(self, items: list[HandoffItem]) -> None:
        self._items = items
        now = self._services.now()
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = (countdown(item.remaining(now)), item.name, item.company,
                     item.category or "", item.reason_code or "", item.sdr or "",
                     item.next_step or "")
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if item.overdue:
                    cell.setForeground(QBrush(QColor("#b91c1c")))
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        overdue = sum(item.overdue for item in items)
        self.summary.setText(
            f"{len(items)} waiting" + (f", {overdue} overdue" if overdue else "")
            if items else "No hand-off is waiting.")
        if items:
            self.table.selectRow(0)
        else:
            self.panel.show_nothing()

    def current(self) -> HandoffItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self._items[rows[0].row()] if rows else None

    def _on_selection(self) -> None:
        item = self.current()
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
        if item is None or ae is None:
            return
        confirmed = self.checks.confirmed()
        self._background.run("inbox-decide",
                             lambda: self._services.accept(item.lead_id, ae, confirmed),
                             lambda _opportunity: self._decided(item, "accepted"),
                             self._refused)

    def reject_current(self) -> None:
        item, ae = self.current(), self.ae_id()
        if item is None or ae is None:
            return
        code, note = self.reason.currentData(), self.note.text()
        if code is None:
            self.message.setText("Choose why you reject this lead: a reason is required.")
            self.reason.setFocus()
            return
        self._background.run(
            "inbox-decide", lambda: self._services.reject(item.lead_id, ae, code, note),
            lambda _none: self._decided(item, "rejected"), self._refused)

    def _decided(self, item: HandoffItem, outcome: str) -> None:
        follow = ("an opportunity is open in your name" if outcome == "accepted"
                  else "it goes back to nurture")
        self.message.setText(f"{item.name} ({item.company}) {outcome}: {follow}.")
        self.note.clear()
        self.reason.setCurrentIndex(0)
        self.decided.emit(item.lead_id, outcome)
        self.refresh()

    def _refused(self, error: BaseException) -> None:
        text = str(error) if isinstance(error, HandoffError) else f"Not saved: {error}"
        self.message.setText(text)
