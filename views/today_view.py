"""Today: the rep's day as blocks of one kind of work, the current one highlighted, with the
day's headline figures. Enter (or a click) opens the current block's work list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.changes import Kind
from models.records import DayBlockPlan, DayFigures
from ui.keys import shortcut
from ui.theme import coloured
from views.background import Background
from views.commanding import Commands, follow
from views.day_blocks_dialog import DayBlocksDialog

BLOCK_PURPOSE = {
    "clean-up": "Fix and merge lead data, resolve problems.",
    "e-mail": "Write and send qualification e-mails.",
    "calls": "Call the queue, one persona group at a time.",
    "wrap-up": "Answer e-mails, finalise qualified leads, hand them to AEs.",
}


def describe_figures(figures: DayFigures) -> str:
    sla = (f"{figures.sla_compliance:.0%} ({figures.sla_met_today} of {figures.sla_due_today})"
           if figures.sla_compliance is not None else "no lead due yet")
    overdue = (" &nbsp;·&nbsp; " + coloured(f"Hand-offs overdue with AEs: "
                                            f"<b>{figures.handoffs_overdue}</b>", "problem")
               if figures.handoffs_overdue else "")
    return (f"Leads waiting for follow-up: <b>{figures.waiting_for_follow_up:,}</b>"
            f" &nbsp;·&nbsp; First-touch SLA today: <b>{sla}</b>"
            f" &nbsp;·&nbsp; Touches today: <b>{figures.touches_today}</b>"
            f" of {figures.touch_target}{overdue}")


class BlockCard(QFrame):
    """One block of the day: a click, or Enter with focus on it, opens it; arrows move."""

    opened = Signal(object)
    moved = Signal(object, int)  # this card, -1 up / +1 down

    def __init__(self, block: DayBlockPlan, current: bool) -> None:
        super().__init__()
        self.block = block
        self.setObjectName("blockCard")
        self.setProperty("current", current)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"{block.kind} block, {block.starts_at:%H:%M} to "
                               f"{block.ends_at:%H:%M}")
        state = "  ·  now" if current else ("  ·  done" if block.ended else "")
        kind = QLabel(block.kind.capitalize() + state)
        kind.setObjectName("blockKind")
        times = QLabel(f"{block.starts_at:%H:%M} – {block.ends_at:%H:%M}")
        times.setObjectName("blockTime")
        purpose = QLabel(BLOCK_PURPOSE.get(block.kind, ""))
        counts = QLabel(f"{block.done} done of {block.target} planned" if block.target
                        else "")
        counts.setObjectName("blockTarget")
        layout = QHBoxLayout(self)
        text = QVBoxLayout()
        text.addWidget(kind)
        text.addWidget(purpose)
        layout.addLayout(text, 1)
        layout.addWidget(counts)
        layout.addWidget(times)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.opened.emit(self.block)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}.get(Qt.Key(event.key()))
        if step is not None:
            self.moved.emit(self, step)
            return
        super().keyPressEvent(event)


class TodayView(QWidget):
    """Shows ``plan()`` for today; ``figures(plan)`` gives the headline figures."""

    block_opened = Signal(object)
    refreshed = Signal()

    def __init__(self, plan: Callable[[], list[DayBlockPlan]],
                 figures: Callable[[list[DayBlockPlan]], DayFigures],
                 now: Callable[[], datetime],
                 edit_blocks: Callable[[QWidget], DayBlocksDialog] | None = None,
                 background: Background | None = None,
                 commands: Commands | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edit_blocks = edit_blocks
        self._background = background
        self._plan = plan
        self._figures = figures
        self._now = now
        self.heading = QLabel("Today")
        self.heading.setObjectName("screenTitle")
        self.figures = QLabel()
        self.figures.setObjectName("dayFigures")
        # A long day's figures wrap: unwrapped, they made the whole window wider than a
        # 1366 px screen at 1.25x (every screen, the Dashboard included).
        self.figures.setWordWrap(True)
        self.hint = QLabel("Enter opens the block under way; a click opens any block.")
        self.hint.setObjectName("hint")
        self._blocks = QVBoxLayout()
        self.edit_button = QPushButton("Edit my day…")
        self.edit_button.clicked.connect(self.edit_day)
        self.edit_button.setEnabled(edit_blocks is not None)
        title = QHBoxLayout()
        title.addWidget(self.heading, 1)
        title.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(title)
        layout.addWidget(self.figures)
        layout.addLayout(self._blocks)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.cards: list[BlockCard] = []
        self._empty = QLabel("No blocks are planned for today.")
        self._blocks.addWidget(self._empty)
        for key in ("Return", "Enter"):
            shortcut(self, key, self.open_current, "Start the chosen block (the one under way "
                     "unless another has focus)", "Today",
                     Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh()
        if commands is not None:
            # Touches move the blocks' counts and the headline; a stage change the SLA; a
            # started block or new hours the day itself.
            follow(self, commands, (Kind.TOUCH, Kind.LEAD, Kind.HANDOFF, Kind.DAY_PLAN),
                   lambda _changes: self.refresh(), skip_own=False)

    def _load(self) -> tuple[list[DayBlockPlan], DayFigures]:
        blocks = self._plan()
        return blocks, self._figures(blocks)

    def refresh(self) -> None:
        """Reload the day off the UI thread (the figures read the whole store)."""
        if self._background is None:
            self._show(self._load())
        else:
            self._background.run("today", self._load, self._show)

    def _show(self, loaded: tuple[list[DayBlockPlan], DayFigures]) -> None:
        blocks, figures = loaded
        for card in self.cards:
            card.deleteLater()
        now = self._now()
        day = blocks[0].starts_at if blocks else now.astimezone()
        self.heading.setText(f"Today, {day:%A %d %B}")
        self.cards = [BlockCard(b, b.starts_at <= now < b.ends_at) for b in blocks]
        for card in self.cards:
            card.opened.connect(self.block_opened.emit)
            card.moved.connect(self._move)
            self._blocks.addWidget(card)
        self._empty.setVisible(not blocks)
        self.figures.setText(describe_figures(figures))
        self.refreshed.emit()

    def edit_day(self) -> DayBlocksDialog | None:
        if self._edit_blocks is None:
            return None
        dialog = self._edit_blocks(self)
        dialog.open()
        return dialog

    def current_block(self) -> DayBlockPlan | None:
        return next((c.block for c in self.cards if c.property("current")), None)

    def _move(self, card: BlockCard, step: int) -> None:
        index = self.cards.index(card) + step
        if 0 <= index < len(self.cards):
            self.cards[index].setFocus(Qt.FocusReason.OtherFocusReason)

    def open_current(self) -> None:
        """Enter: the block with focus, else the one under way."""
        focused = next((c for c in self.cards if c.hasFocus()), None)
        block = focused.block if focused else self.current_block()
        if block is not None:
            self.block_opened.emit(block)
