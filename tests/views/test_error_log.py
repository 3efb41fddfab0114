"""Bugs go to a log file in the profile with their traceback and are shown once; secrets never
reach the log."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop.commands import CommandRunner
from desktop.error_log import BugReport, hide_secret, report_failures, start_log


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    hook = sys.excepthook
    path = start_log(tmp_path)
    assert path is not None
    yield path
    sys.excepthook = hook
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, RotatingFileHandler):
            root.removeHandler(handler)
            handler.close()


def _text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def _dialogs() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


@pytest.mark.qt_no_exception_capture
def test_an_exception_raised_in_a_slot_is_logged_with_its_traceback_and_shown_once(
        qtbot: QtBot, log_file: Path) -> None:
    report = BugReport(log_file)
    report.install()

    def broken_slot() -> None:
        raise RuntimeError("the pipeline total went negative")

    button = QPushButton("Go")
    qtbot.addWidget(button)
    button.clicked.connect(broken_slot)
    button.click()
    button.click()  # the same bug again: logged, not shown again
    text = _text(log_file)
    assert "Traceback (most recent call last)" in text
    assert "in broken_slot" in text
    assert text.count("RuntimeError: the pipeline total went negative") == 2
    assert len(_dialogs()) == 1
    assert report.dialog is not None and str(log_file) in report.dialog.informativeText()
    report.dialog.close()


def test_a_bug_in_a_write_is_logged_and_shown_once_while_a_locked_store_is_said_in_words(
        qtbot: QtBot, log_file: Path) -> None:
    from PySide6.QtWidgets import QStatusBar
    from sqlalchemy.exc import OperationalError

    report, status, commands = BugReport(log_file), QStatusBar(), CommandRunner()
    qtbot.addWidget(status)
    report_failures(commands, report, status)

    def locked() -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    commands.run("Save the draft", locked)
    qtbot.waitUntil(commands.idle)
    assert "another program" in status.currentMessage()
    assert _dialogs() == []
    for _ in range(2):
        commands.run("Log the touch", lambda: 1 / 0)
    qtbot.waitUntil(commands.idle)
    assert len(_dialogs()) == 1
    assert "ZeroDivisionError" in _text(log_file)
    assert "Traceback" in _text(log_file)
    _dialogs()[0].close()
    commands.stop()


def test_no_secret_reaches_the_log(log_file: Path) -> None:
    session_id = ("00D5g000004XyZa!AQ0AQH0dMHZfz972Szmpkb58urFRkgeBGsxL_QJWwYMfAbUeeG7c1E6LY"
                  "UfiDUkWe6H34r1AAwOR8B8fLEz6n04NPGRrq0FM")
    refresh = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJYAhmNkdXu6vbUd0oWEz3VMkJ2A"
    held = "kept-in-memory-7f3a9c1e"
    hide_secret(held)
    log = logging.getLogger("repdesk.test")
    log.warning("GET /services/data headers={'Authorization': 'Bearer %s'}", session_id)
    log.warning("token answer: {\"access_token\": \"%s\", \"refresh_token\": \"%s\"}",
                session_id, refresh)
    log.warning("redirected to http://127.0.0.1:8765/callback?code=aPrx8Hq0Z1&state=abc")
    try:
        raise ValueError(f"refused: {held}")
    except ValueError:
        log.exception("sign-in failed")
    text = _text(log_file)
    for secret in (session_id, refresh, held, "aPrx8Hq0Z1"):
        assert secret not in text
    assert text.count("[hidden]") >= 5
    assert "sign-in failed" in text and "Traceback" in text
