"""The GUI: QApplication on the qasync loop, the store, the main window."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import qasync
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.composition import build_window
from desktop.demo import DemoCrm, in_demo_mode, other_user, prepare_demo, start_demo_crm
from desktop.platform_check import explain, missing_x11_packages
from desktop.startup import open_profile
from models.reps import current_rep
from models.store.errors import explain as store_trouble
from models.store.open import DATABASE_NAME, Store
from ui.theme import apply_theme
from views.background import Background

STARTED = time.perf_counter()


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv)
    app.setApplicationName("RepDesk")
    app.setDesktopFileName("repdesk")
    apply_theme(app)
    return app


def _open(folder: Path) -> Store | None:
    try:
        store = open_profile(folder)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if prepare_demo(store):
                store = open_profile(folder)
        finally:
            QGuiApplication.restoreOverrideCursor()
    except Exception as error:
        # Damaged, read-only, full, locked, misplaced: a dialog saying which, not a traceback.
        trouble = store_trouble(error, folder / DATABASE_NAME)
        if trouble is None:
            raise
        QMessageBox.critical(None, "RepDesk cannot open its data", str(trouble))
        print(trouble, file=sys.stderr)
        return None
    return store


async def _run_window(store: Store, exit_when_shown: bool, demo: DemoCrm | None) -> None:
    app = _application()
    background = Background()
    window, crm = build_window(store, background, demo=demo)
    window.queue.dial_requested.connect(lambda uri: QDesktopServices.openUrl(QUrl(uri)))
    window.mailto_requested.connect(lambda uri: QDesktopServices.openUrl(QUrl(uri)))
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    window.show()
    window.start()
    if exit_when_shown:
        # For benchmarks and smoke tests: report when the first frame is up, then leave.
        def report() -> None:
            print(f"shown after {time.perf_counter() - STARTED:.3f} s", flush=True)
            window.close()

        QTimer.singleShot(0, report)
    await closed.wait()
    crm.close()  # also on a quit that closes no window by hand
    background.wait()


def _rep_id(store: Store) -> str | None:
    rep = current_rep(store.sessions)
    return rep.id if rep else None


def run_gui(folder: Path, exit_when_shown: bool = False) -> int:
    missing = missing_x11_packages()
    if missing:
        print(explain(missing), file=sys.stderr)
        return 2
    _application()
    store = _open(folder)
    if store is None:
        return 2
    demo_crm = start_demo_crm(store, folder) if in_demo_mode(store) else None
    demo = DemoCrm(store, demo_crm, other_user(store, _rep_id(store))) if demo_crm else None
    try:
        qasync.run(_run_window(store, exit_when_shown, demo))
    finally:
        if demo_crm is not None:
            demo_crm.stop()
        store.close()
    return 0
