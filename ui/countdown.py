"""Time left before a promise falls due (an AE's hand-off SLA), said the same way everywhere:
"3 h 20 left", or "OVERDUE 1 h 05" once it has passed."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QLabel, QWidget


def countdown(remaining: timedelta) -> str:
    hours = int(abs(remaining).total_seconds() // 3600)
    minutes = int(abs(remaining).total_seconds() % 3600 // 60)
    if remaining < timedelta(0):
        return f"OVERDUE {hours} h {minutes:02d}"
    return f"{hours} h {minutes:02d} left"


class CountdownBadge(QLabel):
    """The countdown as a small badge; theme.qss marks it when overdue."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countdown")
        self.setVisible(False)

    def show_remaining(self, remaining: timedelta | None) -> None:
        if remaining is None:
            self.setVisible(False)
            return
        self.setText(countdown(remaining))
        self.setProperty("overdue", remaining < timedelta(0))
        self.style().polish(self)
        self.setVisible(True)
