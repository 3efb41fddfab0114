"""A manager's "Send digest now" on the Dashboard: this week's team digest, mailed once per
manager and week, and the button saying what happened (sent, already sent and when, or why
not)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from models.changes import Changed
from models.kpis.digest_now import REFUSED, UNSURE, DigestNow
from views.background import Background
from views.commanding import Commands
from views.failure_text import failure_text

LABEL = "Send digest now"


@dataclass(frozen=True)
class DigestServices:
    # The write (through the command runner): this week's digest, unless written before.
    queue: Callable[[], Changed[DigestNow]]
    # A sync, so the CRM sends it: what it came to; raises what stopped the sync.
    deliver: Callable[[], DigestNow]


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone():%a %d %b %H:%M}"


def outcome_text(state: DigestNow, pressed_before: bool) -> str:
    """What the manager reads beside the button."""
    if state.sent:
        if pressed_before:
            return f"Already sent this week ({_when(state.sent_at or state.queued_at)})."
        return f"Sent to {state.to} ({_when(state.sent_at)})."
    if state.state == UNSURE:
        return ("The CRM did not answer: it may have gone. Check your mailbox; Sync lists "
                "it to send again.")
    if state.state == REFUSED:
        return f"The CRM did not send it: {state.message or 'no reason given'}."
    reason = f": {state.message}" if state.message else ""
    return f"Not sent yet{reason}. It goes with the next sync."


class DigestButton(QWidget):
    """The button and the line that says what it did; disabled while it works."""

    finished = Signal(str)  # what the line now says

    def __init__(self, services: DigestServices, background: Background, commands: Commands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background, self._commands = services, background, commands
        self.button = QPushButton(LABEL)
        self.button.setAccessibleName(LABEL)
        self.button.setToolTip("Mail this week's team digest to you now through the CRM, "
                               "once a week; Monday's digest of the whole week still comes.")
        self.button.clicked.connect(self.send)
        self.outcome = QLabel(objectName="dashboardNote", wordWrap=True)
        self.outcome.setMaximumWidth(320)  # wraps rather than crowding whose figures
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.outcome, 1)
        self.setFocusProxy(self.button)

    def send(self) -> None:
        self.outcome.setText("Writing this week's digest…")
        self._commands.run("Send this week's digest", self._services.queue,
                           on_done=self._queued, on_error=self._not_written, action=self.button)

    def _queued(self, state: Any) -> None:
        assert isinstance(state, DigestNow)
        if not state.waiting:  # sent, or the CRM's answer already said why not
            self._say(outcome_text(state, pressed_before=not state.queued_now))
            return
        # Stays disabled while the sync sends it: a second press would only wait for it.
        self.button.setEnabled(False)
        self.outcome.setText("Sending…")
        self._background.run("digest-now", self._services.deliver, self._delivered,
                             self._failed)

    def _delivered(self, state: DigestNow) -> None:
        self.button.setEnabled(True)
        self._say(outcome_text(state, pressed_before=False))

    def _not_written(self, error: BaseException) -> None:
        self._say(f"Not sent: {failure_text(error)}")

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        text = failure_text(error)
        later = "" if "next sync" in text else " It goes with the next sync."
        self._say(f"Not sent: {text}{later}")

    def _say(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.setToolTip(text)
        self.finished.emit(text)
