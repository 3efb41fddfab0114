"""Book a meeting for an AE, by keyboard, right after a connected call: the AE the hand-off
rule suggests is chosen, the arrows move through their free slots (each told in the AE's and
the lead's time), Enter books. The same screen lists the lead's meetings, marks one held or a
no-show, and logs one set outside RepDesk.

Tab order: AE → free slots → Book → the lead's meetings → Held → No-show → time of a meeting
logged by hand → Log → Close.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.booking_records import BookedMeeting, BookingChoices, MeetingRow, SlotChoice
from models.changes import Changed
from ui.keys import shortcut
from views.background import Background
from views.commanding import Commands
from views.failure_text import failure_text

WHERE = "Book a meeting"
DATA = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class MeetingServices:
    """Bound to the signed-in rep by the composition root."""

    choices: Callable[[str], BookingChoices]  # lead id
    slots: Callable[[str, str], list[SlotChoice]]  # AE id, the lead's timezone
    book: Callable[[str, str, datetime], Changed[BookedMeeting]]  # lead, AE, start
    meetings: Callable[[str], list[MeetingRow]]  # lead id
    log: Callable[[str, str, datetime], Changed[str]]  # lead, AE, start (by hand)
    mark: Callable[[str, str], Changed[None]]  # meeting id, "held" or "no-show"
    now: Callable[[], datetime]


class _TimeField(QDateTimeEdit):
    """Tab leaves the field (the arrows and the cursor move between its parts), so Tab walks
    the screen instead of the date's sections."""

    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)


class BookingDialog(QDialog):
    booked = Signal(object)  # BookedMeeting

    def __init__(self, lead_id: str, services: MeetingServices, background: Background,
                 commands: Commands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Book a meeting")
        self.setObjectName("bookingDialog")
        self._lead_id, self._services = lead_id, services
        self._background, self._commands = background, commands
        self._choices: BookingChoices | None = None
        self.heading = QLabel("Loading…")
        self.heading.setObjectName("bookingHeading")
        self.heading.setWordWrap(True)
        self.ae = QComboBox()
        self.slots = QListWidget()
        self.slots.setObjectName("freeSlots")
        self.invitation = QLabel()
        self.invitation.setWordWrap(True)
        self.book_button = QPushButton("&Book (Enter)")
        self.book_button.setDefault(True)
        self.meetings = QListWidget()
        self.meetings.setObjectName("leadMeetings")
        self.held = QPushButton("Mark &held")
        self.no_show = QPushButton("Mark n&o-show")
        self.by_hand = _TimeField()
        self.by_hand.setCalendarPopup(True)
        self.by_hand.setDisplayFormat("ddd dd MMM yyyy HH:mm")
        self.log_button = QPushButton("&Log by hand")
        self.close_button = QPushButton("Close (Esc)")
        self.message = QLabel()
        self.message.setObjectName("bookingMessage")
        self.message.setWordWrap(True)
        self._build()
        self._connect()
        self._load()

    def _build(self) -> None:
        grid = QGridLayout()
        for row, (text, widget) in enumerate((("&AE", self.ae),
                                              ("&Free slots", self.slots))):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(widget, row, 1)
        grid.addWidget(self.invitation, 2, 1)
        grid.addWidget(self.book_button, 3, 1, Qt.AlignmentFlag.AlignLeft)
        mine = QLabel("This lead's &meetings")
        mine.setBuddy(self.meetings)
        marks = QHBoxLayout()
        for widget in (self.held, self.no_show):
            marks.addWidget(widget)
        marks.addStretch(1)
        hand = QHBoxLayout()
        at = QLabel("Se&t outside RepDesk, at")
        at.setBuddy(self.by_hand)
        hand.addWidget(at)
        hand.addWidget(self.by_hand)
        hand.addWidget(self.log_button)
        hand.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(grid, 3)
        layout.addWidget(mine)
        layout.addWidget(self.meetings, 1)
        layout.addLayout(marks)
        layout.addLayout(hand)
        layout.addLayout(bottom)
        self.slots.setMinimumHeight(180)
        self.meetings.setMaximumHeight(110)
        self.resize(620, 560)
        order = (self.ae, self.slots, self.book_button, self.meetings, self.held,
                 self.no_show, self.by_hand, self.log_button, self.close_button)
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.ae.currentIndexChanged.connect(lambda _i: self._load_slots())
        self.slots.activated.connect(lambda _index: self.book())
        self.book_button.clicked.connect(self.book)
        self.held.clicked.connect(lambda: self.mark("held"))
        self.no_show.clicked.connect(lambda: self.mark("no-show"))
        self.log_button.clicked.connect(self.log_by_hand)
        self.close_button.clicked.connect(self.reject)
        shortcut(self.slots, "Return", self.book, "Book the chosen slot", WHERE,
                 Qt.ShortcutContext.WidgetShortcut)

    # -- reading ---------------------------------------------------------------------------
    def _load(self) -> None:
        lead_id = self._lead_id
        self._background.run(f"booking-{id(self)}", lambda: self._services.choices(lead_id),
                             self._show_choices, self._show_failure)
        self._load_meetings()

    def _show_choices(self, choices: BookingChoices) -> None:
        self._choices = choices
        self.heading.setText(f"<b>{choices.lead_name}</b>, {choices.company} · their time: "
                             f"{choices.lead_timezone}")
        self.invitation.setText(
            f"The invitation (with its calendar file) goes to {choices.lead_email} with the "
            "next sync." if choices.may_email else
            "No invitation: this lead has no e-mail address or opted out of e-mail.")
        self.ae.blockSignals(True)
        self.ae.clear()
        for ae_id, name in choices.aes:
            suggested = " (suggested by the hand-off rule)" if ae_id == choices.suggested_ae \
                else ""
            self.ae.addItem(f"{name}{suggested}", ae_id)
        index = self.ae.findData(choices.suggested_ae)
        self.ae.setCurrentIndex(max(index, 0))
        self.ae.blockSignals(False)
        now = self._services.now().astimezone()
        self.by_hand.setDateTime(QDateTime(now.replace(second=0, microsecond=0)))
        self._load_slots()

    def _load_slots(self) -> None:
        ae_id, choices = self.ae.currentData(), self._choices
        self.slots.clear()
        if not ae_id or choices is None:
            self.message.setText("No AE in the team to book for." if choices else "")
            return
        zone = choices.lead_timezone
        self._background.run(f"slots-{id(self)}", lambda: self._services.slots(ae_id, zone),
                             self._show_slots, self._show_failure)

    def _show_slots(self, slots: list[SlotChoice]) -> None:
        self.slots.clear()
        for slot in slots:
            item = QListWidgetItem(f"{slot.label}      ({slot.for_lead})")
            item.setData(DATA, slot.starts_at)
            if not slot.suits_lead:
                item.setForeground(self.palette().placeholderText())
            self.slots.addItem(item)
        if slots:
            # The first slot that is not at night for the lead; any slot may still be chosen.
            self.slots.setCurrentRow(next(
                (row for row, slot in enumerate(slots) if slot.suits_lead), 0))
            self.slots.setFocus()
        else:
            self.message.setText("No free slot in the next five working days: choose "
                                 "another AE.")

    def _load_meetings(self) -> None:
        lead_id = self._lead_id
        self._background.run(f"meetings-{id(self)}",
                             lambda: self._services.meetings(lead_id), self._show_meetings,
                             self._show_failure)

    def _show_meetings(self, rows: list[MeetingRow]) -> None:
        self.meetings.clear()
        for row in rows:
            item = QListWidgetItem(f"{row.starts_at.astimezone():%a %d %b %H:%M %Z} · "
                                   f"{row.ae_name} · {row.state}")
            item.setData(DATA, row.meeting_id)
            self.meetings.addItem(item)
        if not rows:
            none = QListWidgetItem("(none yet)")
            none.setFlags(Qt.ItemFlag.NoItemFlags)
            self.meetings.addItem(none)
            return
        self.meetings.setCurrentRow(0)

    # -- writing ---------------------------------------------------------------------------
    def book(self) -> None:
        item, ae_id = self.slots.currentItem(), self.ae.currentData()
        if item is None or not ae_id or not self.book_button.isEnabled():
            return
        starts_at = item.data(DATA)
        lead_id = self._lead_id
        self.message.setText("Booking…")
        self._commands.run("Book a meeting",
                           lambda: self._services.book(lead_id, ae_id, starts_at),
                           self._after_booking, self._show_failure,
                           action=self.book_button, origin=self)

    def _after_booking(self, booked: BookedMeeting) -> None:
        self.booked.emit(booked)
        self.accept()

    def mark(self, state: str) -> None:
        item = self.meetings.currentItem()
        meeting_id = item.data(DATA) if item else None
        if not meeting_id:
            self.message.setText("Choose one of the lead's meetings first.")
            return
        self._commands.run(f"Mark the meeting {state}",
                           lambda: self._services.mark(meeting_id, state),
                           lambda _v: self._after_write(f"Marked {state}."),
                           self._show_failure, origin=self)

    def log_by_hand(self) -> None:
        ae_id = self.ae.currentData()
        chosen = self.by_hand.dateTime().toPython()
        if not ae_id or not isinstance(chosen, datetime):
            return
        lead_id, at = self._lead_id, chosen.astimezone()
        self._commands.run("Log a meeting", lambda: self._services.log(lead_id, ae_id, at),
                           lambda _v: self._after_write("Meeting logged."),
                           self._show_failure, action=self.log_button, origin=self)

    def _after_write(self, text: str) -> None:
        self.message.setText(text)
        self._load_meetings()
        self._load_slots()

    def _show_failure(self, error: BaseException) -> None:
        self.message.setText(f"Not saved: {failure_text(error)}")
