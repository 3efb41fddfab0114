"""Today: the rep's day as blocks of one kind of work, the current one highlighted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from models.records import DayBlockPlan

BLOCK_PURPOSE = {
    "clean-up": "Fix and merge lead data, resolve problems.",
    "e-mail": "Write and send qualification e-mails.",
    "calls": "Call the queue, one persona group at a time.",
    "wrap-up": "Answer e-mails, finalise qualified leads, hand them to AEs.",
}


class BlockCard(QFrame):
    def __init__(self, block: DayBlockPlan, current: bool) -> None:
        super().__init__()
        self.setObjectName("blockCard")
        self.setProperty("current", current)
        kind = QLabel(block.kind.capitalize() + ("  ·  now" if current else ""))
        kind.setObjectName("blockKind")
        times = QLabel(f"{block.starts_at:%H:%M} – {block.ends_at:%H:%M}")
        times.setObjectName("blockTime")
        purpose = QLabel(BLOCK_PURPOSE.get(block.kind, ""))
        target = QLabel(f"Target: {block.target} touches" if block.target else "")
        target.setObjectName("blockTarget")
        layout = QHBoxLayout(self)
        text = QVBoxLayout()
        text.addWidget(kind)
        text.addWidget(purpose)
        layout.addLayout(text, 1)
        layout.addWidget(target)
        layout.addWidget(times)


class TodayView(QWidget):
    """Shows ``plan()`` for today; the queue and cadence fill in planned and done counts."""

    def __init__(self, plan: Callable[[], list[DayBlockPlan]],
                 now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plan = plan
        self._now = now
        self.heading = QLabel("Today")
        self.heading.setObjectName("screenTitle")
        self._blocks = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self._blocks)
        layout.addStretch(1)
        self.cards: list[BlockCard] = []
        self._empty = QLabel("No blocks are planned for today.")
        self._blocks.addWidget(self._empty)
        self.refresh()

    def refresh(self) -> None:
        for card in self.cards:
            card.deleteLater()
        now = self._now()
        blocks = self._plan()
        day = blocks[0].starts_at if blocks else now.astimezone()
        self.heading.setText(f"Today, {day:%A %d %B}")
        self.cards = [BlockCard(b, b.starts_at <= now < b.ends_at) for b in blocks]
        for card in self.cards:
            self._blocks.addWidget(card)
        self._empty.setVisible(not blocks)
