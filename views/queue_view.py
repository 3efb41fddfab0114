"""The Queue screen: a block's work list grouped by persona, and the keyboard-first call flow.

Start the block, and the first lead appears with everything known about it. D dials (through
the ``tel:`` URI template), 1-6 log the outcome with the note, and the next lead appears.
S snoozes an hour, N skips. Digits typed into the note stay in the note. The call keys live in
``views.call_keys``, the clean-up list and its keys in ``views.cleanup_list``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed, Kind
from models.hygiene.cleanup import DataProblem
from models.queue import QueueItem, WorkList
from models.records import LeadDetail
from models.touches import TouchLogged
from ui.keys import shortcut
from ui.list_detail import ListWithDetail, stacked
from views.background import Background
from views.booking_dialog import BookingDialog, MeetingServices
from views.call_keys import CallKeys
from views.cleanup_list import CLEANUP_BUTTONS, CLEANUP_GROUPS, CleanUpList
from views.commanding import Commands, follow
from views.failure_text import failure_text
from views.itemmodels.queue_roles import HEADING_ROLE, LEAD_ROLE
from views.lead_panel import LeadPanel

BLOCKS = (("calls", "Calls block"), ("e-mail", "E-mail block"), ("clean-up", "Clean-up block"))
# key, outcome, button label
OUTCOMES = (("1", "connected", "Connected"), ("2", "voicemail", "Voicemail"),
            ("3", "no answer", "No answer"), ("4", "bad number", "Bad number"),
            ("5", "wrong person", "Wrong person"), ("6", "call back", "Call back…"))


@dataclass(frozen=True)
class DeskServices:
    """What the queue needs, bound to the signed-in rep by the composition root."""

    work_list: Callable[[str, datetime], WorkList]
    data_problems: Callable[[], list[DataProblem]]
    lead_detail: Callable[[str], LeadDetail | None]
    # Writes return what they changed with their result (run through the command runner).
    log_touch: Callable[[str, str, str | None, str | None, datetime | None],
                        Changed[TouchLogged]]
    snooze: Callable[[str, datetime], Changed[datetime | None]]
    dial_uri: Callable[[str], str]
    now: Callable[[], datetime]
    standardise: Callable[[str], Changed[dict[str, object]]]
    merge: Callable[[str, str], Changed[object]]  # survivor id, copy id
    route: Callable[[str], Changed[str]]  # lead id → what routing did, in words
    link_account: Callable[[str], Changed[object]]
    create_account: Callable[[str], Changed[object]]
    # Ctrl+Z: takes back the last logged outcome or snooze; says what (None: nothing left).
    take_back: Callable[[], Changed[str | None]] = lambda: Changed(None)
    # Hands a link to the system (a softphone for tel:); False when no program took it.
    open_link: Callable[[str], bool] = lambda _uri: False
    # B: book a meeting for an AE (None: no booking on this desk).
    meetings: MeetingServices | None = None


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _flags(item: QueueItem) -> str:
    marks = [("SLA breached", item.sla_breached), ("trial ending", item.trial_expiring),
             ("named/target", item.priority_account), ("overdue", item.overdue)]
    return "  ".join(f"[{text}]" for text, on in marks if on)


class QueueView(CallKeys, CleanUpList, QWidget):
    qualify_requested = Signal(str)
    email_requested = Signal(str)
    dial_requested = Signal(str)
    touch_logged = Signal(str)
    list_loaded = Signal(int)
    lead_shown = Signal(str)

    def __init__(self, desk: DeskServices, background: Background, commands: Commands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self._background = background
        self._commands = commands
        self._current: QueueItem | None = None
        self._contacted: str | None = None
        self._items: dict[str, QueueItem] = {}
        self.block = QComboBox()
        for key, label in BLOCKS:
            self.block.addItem(label, key)
        self.summary = QLabel()
        self.summary.setObjectName("queueSummary")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(12)
        self.talk_track = QLabel()
        self.talk_track.setObjectName("talkTrack")
        self.talk_track.setWordWrap(True)
        self.panel = LeadPanel()
        self.note = QLineEdit(placeholderText="Note for this touch (typed digits stay here)")
        self.call_back_at = QDateTimeEdit()
        self.call_back_at.setCalendarPopup(True)
        self.call_back_at.setDisplayFormat("ddd dd MMM HH:mm")
        self.confirm_call_back = QPushButton("Log call-back (Enter)")
        self.message = QLabel()
        self.message.setObjectName("queueMessage")
        self.message.setWordWrap(True)
        # A failed write's message stays until the rep's next action, even when a later
        # write succeeds meanwhile.
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons: dict[str, QPushButton] = {}
        self.confirmation: QMessageBox | None = None
        self.booking: BookingDialog | None = None
        self._build_layout()
        self._connect()
        self._show_block_keys()

    # -- layout ----------------------------------------------------------------------------
    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.block)
        top.addWidget(self.summary, 1)
        actions = QGridLayout()
        self.buttons["dial"] = QPushButton("D  Dial")
        for key, outcome, label in OUTCOMES:
            self.buttons[outcome] = QPushButton(f"{key}  {label}")
        for name, label in (("email", "E  E-mail…"), ("book", "B  Book meeting…"),
                            ("snooze", "S  Snooze 1 h"),
                            ("skip", "N  Next"), ("fix", "F  Fix data"),
                            ("merge", "M  Merge"), ("route", "R  Route"),
                            ("link", "A  Link account"), ("account", "C  New account")):
            self.buttons[name] = QPushButton(label)
        # Short rows, so the list keeps its width at 1366 px and at 1.25× scaling: the
        # outcomes three by three, the other moves, and the clean-up keys (shown only in the
        # clean-up block; hidden keys take no room).
        outcomes = [o for _k, o, _l in OUTCOMES]
        rows = (outcomes[:3], outcomes[3:], ["dial", "email", "book"], ["snooze", "skip"],
                list(CLEANUP_BUTTONS[:3]), list(CLEANUP_BUTTONS[3:]))
        for row, names in enumerate(rows):
            for column, name in enumerate(names):
                actions.addWidget(self.buttons[name], row, column)
        self.call_back_row = QWidget()
        call_back = QHBoxLayout(self.call_back_row)
        call_back.setContentsMargins(0, 0, 0, 0)
        call_back.addWidget(QLabel("Call back at"))
        call_back.addWidget(self.call_back_at)
        call_back.addWidget(self.confirm_call_back)
        call_back.addStretch(1)
        self.call_back_row.hide()
        right = stacked([self.talk_track, self.panel, self.note, self.call_back_row, actions,
                        self.message, self.error], grows=self.panel)
        # The list keeps 300 px: names, flags and group headers stay readable.
        splitter = ListWithDetail("queueDivider", self.tree, right, sizes=(420, 740),
                                  least=(300, 0))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        self.block.currentIndexChanged.connect(lambda _: (self.message.clear(), self.refresh()))
        self.tree.currentItemChanged.connect(self._on_current)
        self.buttons["dial"].clicked.connect(self.dial)
        for key, outcome, label in OUTCOMES:
            self.buttons[outcome].clicked.connect(lambda _=False, o=outcome: self.log(o))
            self._shortcut(key, lambda o=outcome: self.log(o), f"Log the call: {label}")
        self.buttons["snooze"].clicked.connect(self.snooze)
        self.buttons["book"].clicked.connect(self.book_meeting)
        self._shortcut("B", self.book_meeting, "Book a meeting for an AE (after a connected call)")
        self.buttons["email"].clicked.connect(self.write_email)
        for name, key in (("fix", "F"), ("merge", "M"), ("route", "R"), ("link", "A"),
                          ("account", "C")):
            self.buttons[name].clicked.connect(lambda _=False, k=key: self.clean_up(k))
            hint = next(h for _kind, _head, k, h in CLEANUP_GROUPS if k == key)
            self._shortcut(key, lambda k=key: self.clean_up(k),
                           "Clean-up: " + hint.removeprefix(f"{key} "))
        self.buttons["skip"].clicked.connect(self.next_lead)
        self.confirm_call_back.clicked.connect(self._confirm_call_back)
        self._shortcut("D", self.dial, "Dial the lead's number")
        self._shortcut("S", self.snooze, "Snooze the lead an hour")
        self._shortcut("N", self.next_lead, "Next lead, without logging")
        self._shortcut("Q", self.qualify, "Qualify the lead")
        self._shortcut("E", self.write_email, "E-mail the lead")
        self._shortcut("Escape", self._cancel_call_back, "Cancel the call-back time")
        self._shortcut("Ctrl+Z", self.take_back,
                       "Take back the last outcome or snooze (in a text field: undo typing)")
        shortcut(self.call_back_row, "Return", self._confirm_call_back, "Log the call-back",
                 "Queue", Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # Another screen's write (a qualification, an e-mail, a hand-off, a sync) may take
        # leads off this list or put them on it.
        follow(self, self._commands, (Kind.LEAD, Kind.CADENCE, Kind.TOUCH),
               lambda _changes: self.refresh())

    def _shortcut(self, key: str, slot: Callable[[], None], says: str) -> None:
        # Widget-with-children context: the keys work anywhere on this screen, while a text
        # field with focus keeps the characters typed into it.
        shortcut(self, key, slot, says, "Queue", Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # -- the list --------------------------------------------------------------------------
    def current_block(self) -> str:
        return str(self.block.currentData())

    def open_block(self, kind: str) -> None:
        index = self.block.findData(kind)
        if index >= 0 and index != self.block.currentIndex():
            self.block.setCurrentIndex(index)  # refreshes
        else:
            self.refresh()
        self.tree.setFocus()

    def _show_block_keys(self) -> None:
        cleaning = self.current_block() == "clean-up"
        for name, button in self.buttons.items():
            button.setVisible((name in CLEANUP_BUTTONS) == cleaning)

    def refresh(self) -> None:
        block, now = self.current_block(), self._desk.now()
        self._show_block_keys()
        if block == "clean-up":
            self._background.run("queue", self._desk.data_problems, self._show_problems)
        else:
            self._background.run("queue", lambda: self._desk.work_list(block, now),
                                 self._show_work_list)

    def _show_work_list(self, queue: WorkList) -> None:
        keep = self.current_lead_id()
        self.tree.clear()
        self._items = {}
        bold = QFont()
        bold.setBold(True)
        for group in queue.groups:
            header = QTreeWidgetItem([f"{group.name}  ({len(group.items)})"])
            header.setData(0, HEADING_ROLE, (group.name, ""))
            header.setFont(0, bold)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setData(0, Qt.ItemDataRole.ToolTipRole, group.talk_track)
            self.tree.addTopLevelItem(header)
            for item in group.items:
                self._items[item.lead_id] = item
                row = QTreeWidgetItem([f"{item.name} — {item.company}\n    {item.local_time}"
                                       f"   {_flags(item)}"])
                row.setData(0, LEAD_ROLE, item.lead_id)
                row.setData(0, Qt.ItemDataRole.ToolTipRole, group.talk_track)
                header.addChild(row)
            header.setExpanded(True)
        self._recount()
        self.list_loaded.emit(len(queue))
        self._select(keep)

    def _recount(self) -> None:
        """Group counts and the summary say how many rows the list holds now."""
        for index in range(self.tree.topLevelItemCount()):
            header = self.tree.topLevelItem(index)
            heading = header.data(0, HEADING_ROLE)
            if heading:
                name, hint = heading
                header.setText(0, f"{name}  ({header.childCount()}){hint}")
        total, groups = len(self._lead_rows()), self.tree.topLevelItemCount()
        if self.current_block() == "clean-up":
            self.summary.setText(f"{_count(total, 'lead')} to clean up" if total
                                 else "Nothing to clean up: the leads are clean.")
        else:
            self.summary.setText(
                f"{_count(total, 'lead')} due in {_count(groups, 'persona group')}"
                if total else "Nothing is due in this block right now.")

    def _lead_rows(self) -> list[QTreeWidgetItem]:
        rows = []
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            if top.data(0, LEAD_ROLE):
                rows.append(top)
            rows.extend(top.child(i) for i in range(top.childCount()))
        return rows

    def _select(self, lead_id: str | None) -> None:
        """Keep the lead the rep was on when the list reloads under it, else the first."""
        for row in self._lead_rows():
            if lead_id and row.data(0, LEAD_ROLE) == lead_id:
                self.tree.setCurrentItem(row)
                return
        self._select_first()

    def _select_first(self) -> None:
        rows = self._lead_rows()
        if rows:
            self.tree.setCurrentItem(rows[0])
        else:
            self._current = None
            self.talk_track.clear()
            self.panel.show_nothing()

    def lead_ids(self) -> list[str]:
        return [str(row.data(0, LEAD_ROLE)) for row in self._lead_rows()]

    def current_lead_id(self) -> str | None:
        row = self.tree.currentItem()
        return str(row.data(0, LEAD_ROLE)) if row and row.data(0, LEAD_ROLE) else None

    def _on_current(self, row: QTreeWidgetItem | None, _previous: object) -> None:
        lead_id = row.data(0, LEAD_ROLE) if row else None
        if not lead_id:
            return
        self._current = self._items.get(lead_id)
        track = row.data(0, Qt.ItemDataRole.ToolTipRole) if row and self._current else None
        self.talk_track.setText(f"<b>Talk track:</b> {track}" if track else "")
        self.talk_track.setVisible(bool(track))
        self._background.run("queue-detail", lambda: self._desk.lead_detail(lead_id),
                             self._show_detail)

    def _show_detail(self, lead: LeadDetail | None) -> None:
        if lead is None:
            self.panel.show_nothing()
            return
        self.panel.show_lead(lead, self._desk.now())
        self.lead_shown.emit(lead.id)

    # -- actions ---------------------------------------------------------------------------
    def _acting(self) -> None:
        """The rep acts again: an earlier failure's message has been seen."""
        self.error.clear()
        self.error.hide()

    def _show_error(self, error: BaseException, note: str | None = None) -> None:
        if note and not self.note.text():
            self.note.setText(note)
        self.error.setText(f"Not saved: {failure_text(error)} Your note is kept."
                           if note else f"Not saved: {failure_text(error)}")
        self.error.show()

    def _remove(self, lead_id: str) -> None:
        """Take every row of the lead off the list and show the one after it."""
        rows = self._lead_rows()
        ids = [row.data(0, LEAD_ROLE) for row in rows]
        if lead_id not in ids:
            return
        after = ids.index(lead_id) + 1
        following = next((row for row, i in zip(rows[after:], ids[after:], strict=True)
                          if i != lead_id), None)
        for row, row_id in zip(rows, ids, strict=True):
            if row_id != lead_id:
                continue
            parent = row.parent()
            if parent is not None:
                parent.removeChild(row)
                if parent.childCount() == 0:
                    self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(parent))
            else:
                self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(row))
        self._items.pop(lead_id, None)
        self._recount()
        if following is not None:
            self.tree.setCurrentItem(following)
        else:
            self._select_first()

    def write_email(self) -> None:
        if self._current is not None:
            self.email_requested.emit(self._current.lead_id)

    def qualify(self) -> None:
        """Qualify the lead just reached (or, if none, the one on screen)."""
        lead_id = self._contacted or (self._current.lead_id if self._current else None)
        if lead_id:
            self._contacted = None
            self.qualify_requested.emit(lead_id)

    def next_lead(self) -> None:
        rows = self._lead_rows()
        current = self.tree.currentItem()
        if current in rows and rows.index(current) + 1 < len(rows):
            self.tree.setCurrentItem(rows[rows.index(current) + 1])
