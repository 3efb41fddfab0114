"""``repdesk --exit-after-sync``: the window syncs once through its own sync process, prints
one line saying how it went, and closes by itself. The packaged app's smoke test uses it to
prove that a frozen window can start its sync process and reach its CRM."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QMetaObject, Qt

from views.main_window import MainWindow, WindowServices


class FirstSync:
    def __init__(self) -> None:
        self._sync_now: Callable[[str | None], str] | None = None
        self._window: MainWindow | None = None
        self._started = False
        self.exit_code = 1

    def watching(self, services: WindowServices) -> WindowServices:
        """The window's services, whose sync this watches. The window's Sync screen runs the
        sync, as for a rep."""
        self._sync_now = services.sync.sync_now
        return replace(services, sync=replace(services.sync, sync_now=self._watched))

    def start(self, window: MainWindow) -> None:
        self._window = window
        window.sync.sync_now()

    def _watched(self, url: str | None) -> str:
        """Runs on a worker thread; asks the window to close whatever the outcome."""
        if self._started:  # the window's own schedule, while it closes
            raise RuntimeError("the window is closing after its first sync")
        self._started = True
        assert self._sync_now is not None, "watching() comes first"
        try:
            report = self._sync_now(url)
        except Exception as error:
            print(f"first sync failed: {error}", flush=True)
            raise
        else:
            print(f"first sync: {report}", flush=True)
            self.exit_code = 0
            return report
        finally:
            QMetaObject.invokeMethod(self._window, "close", Qt.ConnectionType.QueuedConnection)
