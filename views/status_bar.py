"""The status bar: online or not, changes waiting for the CRM, the last sync, and a warning
while the CRM sign-in can only be kept in memory."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from models.records import SyncStatus
from ui.elided import ElidedLabel


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    return moment.astimezone().strftime("%d %b %H:%M")


def _changes(count: int) -> str:
    return f"{count:,} change{'s' if count != 1 else ''}"


def stuck(status: SyncStatus) -> int:
    """Changes that cannot reach the CRM as they are: blocked here or refused there."""
    return status.blocked_changes + status.failed_changes


def describe(status: SyncStatus, now: datetime) -> tuple[str, str, str]:
    """The three texts the bar shows: connection, pending changes, last sync. "Online" only
    when the last sync worked and nothing is stuck: changes that cannot move are never
    hidden behind it."""
    if status.crm_url is None:
        connection = "Offline: no CRM connected (demo data)"
    elif status.online is None:
        connection = f"Not synced yet: {status.crm_url}"
    elif not status.online:
        connection = f"Offline: the last sync with {status.crm_url} failed; working locally"
    elif stuck(status):
        connection = (f"Connected to {status.crm_url}, but {_changes(stuck(status))} cannot "
                      "be sent: see Sync")
    else:
        connection = f"Online: {status.crm_url}"
    pending = f"{_changes(status.pending_changes)} waiting to sync"
    if status.blocked_changes:
        pending += f", {status.blocked_changes:,} blocked"
    if status.failed_changes:
        pending += f", {status.failed_changes:,} refused by the CRM"
    return connection, pending, f"Last sync: {_ago(status.last_sync_at, now)}"


class SyncStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connection = QLabel(objectName="onlineState")
        self.pending = QLabel(objectName="pendingChanges")
        self.last_sync = QLabel(objectName="lastSync")
        self.secrets = QLabel(objectName="secretsWarning")
        self.secrets.setVisible(False)
        for label in (self.secrets, self.connection, self.pending, self.last_sync):
            self.addPermanentWidget(label)
        # The bar's own messages live in a label beside the permanent ones: a long message
        # ends in "…" with the whole of it as the tooltip, instead of being cut under them.
        self.message = ElidedLabel(objectName="statusMessage")
        self.addWidget(self.message, 1)
        self._clear_timer = QTimer(self, singleShot=True)
        self._clear_timer.timeout.connect(self.clearMessage)

    def showMessage(self, text: str, timeout: int = 0) -> None:
        self.message.set_whole_text(text)
        if timeout > 0:
            self._clear_timer.start(timeout)
        else:
            self._clear_timer.stop()
        self.messageChanged.emit(text)

    def clearMessage(self) -> None:
        self.message.set_whole_text("")
        self._clear_timer.stop()
        self.messageChanged.emit("")

    def currentMessage(self) -> str:
        return self.message.whole_text()

    def show_status(self, status: SyncStatus) -> None:
        connection, pending, last = describe(status, datetime.now(UTC))
        self.connection.setText(connection)
        self.connection.setProperty("online", bool(status.online) and not stuck(status))
        self.connection.style().polish(self.connection)
        self.pending.setText(pending)
        self.last_sync.setText(last)
        warning = status.secrets_warning
        # Compact, so the bar's messages keep their room; the whole warning is its tooltip.
        self.secrets.setText("⚠ No secure keyring" if warning else "")
        self.secrets.setToolTip(f"CRM sign-in kept in memory only: {warning}" if warning
                                else "")
        self.secrets.setAccessibleName(self.secrets.toolTip())
        self.secrets.setVisible(bool(warning))
