"""The GUI: QApplication on the qasync loop, the store, the main window."""

from __future__ import annotations

import asyncio
import sys
import time
from importlib.resources import files
from pathlib import Path

import qasync
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.composition import window_services
from desktop.demo import in_demo_mode, prepare_demo, start_demo_crm
from desktop.first_sync import FirstSync
from desktop.platform_check import explain, missing_x11_packages
from desktop.startup import open_profile
from models.store.migrate import StoreError
from models.store.open import Store
from ui.theme import apply_theme
from views.background import Background
from views.main_window import MainWindow

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
    except StoreError as error:
        QMessageBox.critical(None, "RepDesk cannot open its data", str(error))
        print(error, file=sys.stderr)
        return None
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        prepare_demo(store)
    finally:
        QGuiApplication.restoreOverrideCursor()
    return store


async def _run_window(store: Store, exit_when_shown: bool, exit_after_sync: bool) -> int:
    app = _application()
    background = Background()
    services = window_services(store)
    first_sync = FirstSync(services) if exit_after_sync else None
    window = MainWindow(first_sync.services if first_sync else services, background)
    window.queue.dial_requested.connect(lambda uri: QDesktopServices.openUrl(QUrl(uri)))
    window.mailto_requested.connect(lambda uri: QDesktopServices.openUrl(QUrl(uri)))
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    window.show()
    window.start()
    if first_sync is not None:
        first_sync.start(window)
    if exit_when_shown:
        # For benchmarks and smoke tests: report when the first frame is up, then leave.
        def report() -> None:
            print(f"shown after {time.perf_counter() - STARTED:.3f} s", flush=True)
            window.close()

        QTimer.singleShot(0, report)
    await closed.wait()
    background.wait()
    return first_sync.exit_code if first_sync else 0


def run_gui(folder: Path, exit_when_shown: bool = False, exit_after_sync: bool = False) -> int:
    missing = missing_x11_packages()
    if missing:
        print(explain(missing), file=sys.stderr)
        return 2
    _application()
    store = _open(folder)
    if store is None:
        return 2
    demo_crm = start_demo_crm(store, folder) if in_demo_mode(store) else None
    try:
        code: int = qasync.run(_run_window(store, exit_when_shown, exit_after_sync))
    finally:
        if demo_crm is not None:
            demo_crm.stop()
        store.close()
    return code
