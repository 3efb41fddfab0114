"""A window the system stops (SIGTERM: a logout, a shutdown, ``kill``) closes as if the rep
had closed it: every write asked for reaches the store, and the sync process ends with it
instead of living on alone. A sync under way is cut off at once, which loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable

from PySide6.QtWidgets import QApplication


def close_when_terminated(app: QApplication, stop_syncing: Callable[[], None]) -> None:
    """Call on the running event loop, once the window is up."""

    def terminated() -> None:
        stop_syncing()
        app.closeAllWindows()

    # Windows has no SIGTERM to catch (NotImplementedError): there the sync process watches
    # for the window's end by itself (desktop.sync_process).
    with contextlib.suppress(NotImplementedError, RuntimeError):
        # Through the loop's wake-up pipe: a plain signal handler would wait for the next
        # Python call out of Qt's event loop, which may be minutes away.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, terminated)
