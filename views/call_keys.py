"""The call block's keys on the queue screen: D dials, 1-6 log the outcome with the note, S
snoozes, Ctrl+Z takes back the last of them. Each key is its own write, run in the order
pressed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime

from models.booking_records import BookedMeeting
from models.touches import TouchLogged
from views.booking_dialog import BookingDialog

if TYPE_CHECKING:
    from views.queue_view import QueueView

SNOOZE = timedelta(hours=1)


class CallKeys:
    """The queue screen's call half (mixed into ``QueueView``)."""

    def dial(self: QueueView) -> None:
        if self._current is None:
            return
        if not self._current.phone:
            self.message.setText("This lead has no phone number: fix it in the clean-up block.")
            return
        uri = self._desk.dial_uri(self._current.phone)
        self.dial_requested.emit(uri)
        if self._desk.open_link(uri):
            self.message.setText(f"Dialling {self._current.phone}…")
        else:
            scheme = uri.split(":", 1)[0]
            self.message.setText(
                f"No program on this computer took the {scheme}: link, so nothing is dialling: "
                f"call {self._current.phone} yourself. To dial with a key, install a softphone "
                f"or set dial_uri_template in queue.json to the link yours takes "
                f"(e.g. sip:{{phone}}).")

    def log(self: QueueView, outcome: str) -> None:
        if self._current is None or self.current_block() == "clean-up":
            return
        if outcome == "call back":
            self._ask_call_back_time()
            return
        self._log(outcome, None)

    def _log(self: QueueView, outcome: str | None, follow_up_at: datetime | None) -> None:
        item = self._current
        if item is None:
            return
        kind = "call" if self.current_block() == "calls" else "email"
        note = self.note.text().strip() or None
        logged_outcome = outcome if kind == "call" else None
        self._acting()
        # Each key is its own write, run in the order pressed: two quick keys log two touches.
        self._commands.run(
            "Log the touch",
            lambda: self._desk.log_touch(item.lead_id, kind, logged_outcome, note, follow_up_at),
            self._after_log, lambda error: self._show_error(error, note),
            action=self.buttons.get(outcome or ""), origin=self)

    def _after_log(self: QueueView, logged: TouchLogged) -> None:
        self.note.clear()
        self.call_back_row.hide()
        upcoming = logged.next
        if upcoming.state == "contacted":
            self._contacted = logged.lead_id
            text = "Contact made: the cadence ends here. Press Q to qualify this lead now."
        elif upcoming.due_at is not None and upcoming.step is not None:
            channel = "e-mail" if upcoming.step.channel == "email" else "call"
            text = (f"Logged. Next: {channel}, {upcoming.due_at.astimezone():%a %d %b %H:%M}"
                    f"{' (outside your hours)' if not upcoming.inside_rep_hours else ''}.")
        else:
            text = "Logged. The cadence has no more steps for this lead."
        self.message.setText(text)
        self._remove(logged.lead_id)
        self.touch_logged.emit(logged.lead_id)

    def book_meeting(self: QueueView) -> None:
        """The lead just reached (or, if none, the one on screen) gets a meeting with an AE."""
        lead_id = self._contacted or (self._current.lead_id if self._current else None)
        if lead_id is None or self._desk.meetings is None or self.current_block() == "clean-up":
            return
        self.booking = BookingDialog(lead_id, self._desk.meetings, self._background,
                                     self._commands, self)
        self.booking.booked.connect(self._after_booking)
        self.booking.open()

    def _after_booking(self: QueueView, booked: BookedMeeting) -> None:
        invitation = (f" The invitation goes to {booked.invitation_to} with the next sync."
                      if booked.invitation_to else " No invitation: no e-mail address.")
        self.message.setText(f"Meeting booked with {booked.ae_name}, "
                             f"{booked.starts_at.astimezone():%a %d %b %H:%M %Z}.{invitation}")

    def snooze(self: QueueView) -> None:
        item = self._current
        if item is None or self.current_block() == "clean-up":
            return
        until = self._desk.now() + SNOOZE
        self._acting()
        self._commands.run("Snooze the lead", lambda: self._desk.snooze(item.lead_id, until),
                           lambda _due: self._after_snooze(item.lead_id), self._show_error,
                           action=self.buttons["snooze"], origin=self)

    def _after_snooze(self: QueueView, lead_id: str) -> None:
        self.message.setText("Snoozed for an hour.")
        self._remove(lead_id)

    def take_back(self: QueueView) -> None:
        self._acting()
        self._commands.run("Take back the last outcome", self._desk.take_back,
                           self._taken_back, self._show_error, origin=self)

    def _taken_back(self: QueueView, what: str | None) -> None:
        if what is None:
            self.message.setText("Nothing to take back: no outcome or snooze logged since "
                                 "RepDesk started.")
            return
        self.message.setText(f"Taken back: {what}. It is due again.")
        self.refresh()  # the lead comes back to the list where it belongs

    def _ask_call_back_time(self: QueueView) -> None:
        tomorrow = (self._desk.now() + timedelta(days=1)).astimezone().replace(
            hour=10, minute=0, second=0, microsecond=0)
        self.call_back_at.setDateTime(QDateTime(tomorrow))
        self.call_back_row.show()
        self.call_back_at.setFocus()

    def _confirm_call_back(self: QueueView) -> None:
        if not self.call_back_row.isVisible():
            return
        chosen = self.call_back_at.dateTime().toPython()
        assert isinstance(chosen, datetime)
        self._log("call back", chosen.astimezone())

    def _cancel_call_back(self: QueueView) -> None:
        self.call_back_row.hide()
        self.tree.setFocus()
