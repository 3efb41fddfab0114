"""The GUI: QApplication on the qasync loop, the store, the main window."""

from __future__ import annotations

import asyncio
import sys
import time
from importlib.resources import files
from pathlib import Path

import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.commands import CommandRunner
from desktop.composition import system_clock
from desktop.dashboard_services import queue_due_digests
from desktop.demo import in_demo_mode, prepare_demo, start_demo_crm
from desktop.desk import Desk
from desktop.error_log import BugReport, start_log
from desktop.first_sync import FirstSync
from desktop.platform_check import explain, missing_x11_packages
from desktop.startup import open_profile
from desktop.termination import close_when_terminated
from models.crm.sandbox.server import SandboxServer
from models.store.errors import explain as store_trouble
from models.store.open import DATABASE_NAME, Store
from ui.theme import apply_theme
from views.background import Background

STARTED = time.perf_counter()


def app_icon() -> QIcon:
    return QIcon(str(files("resources").joinpath("repdesk.png")))


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv)
    app.setApplicationName("RepDesk")
    app.setDesktopFileName("repdesk")
    app.setWindowIcon(app_icon())
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


async def _run_window(store: Store, exit_when_shown: bool, bugs: BugReport,
                      demo_crm: SandboxServer | None, exit_after_sync: bool) -> int:
    app = _application()
    background = Background()
    commands = CommandRunner()
    first_sync = FirstSync() if exit_after_sync else None
    desk = Desk(store, background, commands, bugs, can_switch=demo_crm is not None,
                demo_crm=demo_crm, first_sync=first_sync)
    window = desk.open()
    # A manager's weekly digest, once per week however many windows start (a write: in order).
    commands.run("Queue the weekly digest mail", lambda: queue_due_digests(store, system_clock))
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    close_when_terminated(app, lambda: desk.crm.stop() if desk.crm is not None else None)
    if first_sync is not None:
        first_sync.start(window)
    if exit_when_shown:
        # For benchmarks and smoke tests: report when the first frame is up, then leave.
        def report() -> None:
            print(f"shown after {time.perf_counter() - STARTED:.3f} s", flush=True)
            window.close()

        QTimer.singleShot(0, report)
    await closed.wait()
    desk.close()
    # Every write the rep asked for is on disk before the store closes.
    commands.wait()
    commands.stop()
    background.wait()
    return first_sync.exit_code if first_sync else 0


def run_gui(folder: Path, exit_when_shown: bool = False, exit_after_sync: bool = False) -> int:
    missing = missing_x11_packages()
    if missing:
        print(explain(missing), file=sys.stderr)
        return 2
    _application()
    bugs = BugReport(start_log(folder))
    bugs.install()
    store = _open(folder)
    if store is None:
        return 2
    demo_crm = start_demo_crm(store, folder) if in_demo_mode(store) else None
    try:
        code: int = qasync.run(_run_window(store, exit_when_shown, bugs, demo_crm,
                                           exit_after_sync))
    finally:
        if demo_crm is not None:
            demo_crm.stop()
        store.close()
    return code
