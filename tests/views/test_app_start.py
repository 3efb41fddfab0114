"""Starting the GUI: a first run opens on demo data; a store it cannot use is named."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.app import run_gui
from models.store.open import DATABASE_NAME


def test_first_run_opens_the_window_on_demo_data(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(tmp_path), "--exit-when-shown"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "shown after" in done.stdout
    with sqlite3.connect(tmp_path / DATABASE_NAME) as connection:
        assert connection.execute("SELECT count(*) FROM leads").fetchone()[0] == 5_000
        crm = connection.execute("SELECT value FROM settings WHERE key = 'crm_url'").fetchone()
        local_ids = dict(connection.execute("SELECT id, crm_id FROM leads"))
    # Demo mode runs its own sandbox CRM, kept beside the store, holding the same leads
    # under the same ids.
    assert crm is not None and crm[0].startswith('"http://127.0.0.1:')
    with sqlite3.connect(tmp_path / "demo-crm.db") as connection:
        crm_ids = dict(connection.execute(
            "SELECT ext_id, id FROM records WHERE object = 'Lead' AND deleted = 0"))
    assert crm_ids == local_ids


def _first_dialog_text() -> list[str]:
    """The text of the first dialog the app shows, filled in once it has shown (and closed)."""
    shown: list[str] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shown.append(box.text())
            box.close()
        else:
            QTimer.singleShot(20, read_and_close)

    QTimer.singleShot(20, read_and_close)
    return shown


def test_a_corrupt_store_is_named_in_a_message_and_kept(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / DATABASE_NAME
    path.write_bytes(b"junk" * 256)
    shown = _first_dialog_text()
    assert run_gui(tmp_path) == 2
    assert str(path) in shown[0]
    assert path.read_bytes() == b"junk" * 256


def test_a_store_with_a_damaged_page_gets_a_dialog_not_a_traceback(
        qtbot: QtBot, tmp_path: Path, demo_folder: Path) -> None:
    path = tmp_path / DATABASE_NAME
    path.write_bytes((demo_folder / DATABASE_NAME).read_bytes())
    with sqlite3.connect(path) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'leads'").fetchone()[0]
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xa5" * page_size)
    before = path.read_bytes()
    shown = _first_dialog_text()
    assert run_gui(tmp_path) == 2
    assert f"{path} is damaged and cannot be read" in shown[0]
    assert path.read_bytes() == before


def test_a_folder_in_the_stores_place_gets_a_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / DATABASE_NAME).mkdir()
    shown = _first_dialog_text()
    assert run_gui(tmp_path) == 2
    assert "is a folder, where RepDesk keeps its store file" in shown[0]
