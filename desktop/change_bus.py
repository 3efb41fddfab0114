"""The change bus: after each write, every screen hears what changed and decides whether to
refresh. No screen refreshes another by hand."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from models.changes import Changes


class ChangeBus(QObject):
    # (Changes, origin): origin is whoever asked for the write (a screen may skip its own).
    changed = Signal(object, object)

    def announce(self, changes: Changes, origin: object | None = None) -> None:
        if changes:
            self.changed.emit(changes, origin)
