"""The Sync screen: changes waiting for the CRM, the ones it refused (with its message), and
conflicts to settle field by field: keep mine, take theirs, or type the right value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.changes import EVERYTHING, Changed, Kind
from models.records import ConflictRecord, OutboxLine
from ui.tables import read_only_table
from views.background import Background
from views.commanding import Commands, follow
from views.failure_text import failure_text


@dataclass(frozen=True)
class SyncServices:
    outbox: Callable[[], list[OutboxLine]]
    conflicts: Callable[[], list[ConflictRecord]]
    resolve: Callable[[int, str, Any], Changed[None]]
    # One sync with the CRM at this address (None: the one last used); returns a one-line
    # report, or raises with a message the rep can read.
    sync_now: Callable[[str | None], str]
    crm_url: Callable[[], str | None]


class SyncView(QWidget):
    synced = Signal()

    def __init__(self, services: SyncServices, background: Background, commands: Commands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background = services, background
        self._commands = commands
        self._conflicts: list[ConflictRecord] = []
        heading = QLabel("Sync")
        heading.setObjectName("screenTitle")
        self.sync_button = QPushButton("Sync now")
        self.crm_url = QLineEdit(placeholderText="CRM address, e.g. https://yourorg.my.salesforce.com")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.outbox = read_only_table(
            ("State", "Object", "Change", "Fields", "Saved", "CRM's answer"))
        self.conflicts = read_only_table(("Record", "Field", "Agreed before", "Mine", "Theirs"))
        self.edited = QLineEdit(placeholderText="The right value, if neither is")
        self.keep_mine = QPushButton("Keep mine")
        self.take_theirs = QPushButton("Take theirs")
        self.use_edited = QPushButton("Use this value")
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
        layout.addWidget(QLabel("Changes waiting for the CRM, and those it refused"))
        layout.addWidget(self.outbox, 2)
        layout.addWidget(QLabel("Conflicts: edited here and in the CRM since the last sync"))
        layout.addWidget(self.conflicts, 1)
        layout.addLayout(settle)
        self.sync_button.clicked.connect(self.sync_now)
        self.keep_mine.clicked.connect(lambda: self._resolve("mine"))
        self.take_theirs.clicked.connect(lambda: self._resolve("theirs"))
        self.use_edited.clicked.connect(lambda: self._resolve("edited"))
        follow(self, commands, (Kind.OUTBOX, Kind.CONFLICT), lambda _c: self.refresh())

    def refresh(self) -> None:
        self._background.run("sync-view", lambda: (self._services.outbox(),
                                                   self._services.conflicts(),
                                                   self._services.crm_url()), self._show)

    def _show(self, loaded: tuple[list[OutboxLine], list[ConflictRecord], str | None]) -> None:
        lines, conflicts, url = loaded
        if url and not self.crm_url.text():
            self.crm_url.setText(url)
        self.outbox.setRowCount(len(lines))
        for row, line in enumerate(lines):
            cells = ("refused" if line.state == "failed" else "waiting", line.object, line.op,
                     ", ".join(line.fields[:6]) + ("…" if len(line.fields) > 6 else ""),
                     f"{line.created_at.astimezone():%d %b %H:%M}", line.error or "")
            for column, text in enumerate(cells):
                self.outbox.setItem(row, column, QTableWidgetItem(text))
        self._conflicts = conflicts
        self.conflicts.setRowCount(len(conflicts))
        for row, conflict in enumerate(conflicts):
            cells = (f"{conflict.table} {conflict.record_id[:8]}", conflict.field,
                     str(conflict.base), str(conflict.mine), str(conflict.theirs))
            for column, text in enumerate(cells):
                self.conflicts.setItem(row, column, QTableWidgetItem(text))
        if conflicts:
            self.conflicts.selectRow(0)
        for button in (self.keep_mine, self.take_theirs, self.use_edited):
            button.setEnabled(bool(conflicts))

    def _resolve(self, choice: str) -> None:
        rows = self.conflicts.selectionModel().selectedRows()
        if not rows:
            return
        conflict = self._conflicts[rows[0].row()]
        if choice == "edited" and not self.edited.text().strip():
            self.message.setText("Type the right value first.")
            return
        edited = self.edited.text().strip() or None

        def settled(_: object) -> None:
            self.edited.clear()
            self.message.setText(f"Settled: {conflict.field} — it goes to the CRM with the "
                                 "next sync." if choice != "theirs" else
                                 f"Settled: {conflict.field} takes the CRM's value.")
            self.refresh()

        self._commands.run("Settle the conflict",
                           lambda: self._services.resolve(conflict.id, choice, edited),
                           settled, lambda error: self.message.setText(
                               f"Not settled: {failure_text(error)}"), origin=self)

    def sync_in_background(self) -> None:
        """The scheduled sync: only with a CRM address, and never two at once."""
        if self.sync_button.isEnabled() and (self.crm_url.text().strip()
                                             or self._services.crm_url()):
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
