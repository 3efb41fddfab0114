"""Where failures go: a rotating log file in the profile (never a secret in it), Python's and
Qt's last-resort hooks, and one polite dialog for a bug, saying where the log is.

The rep's own mistakes are said next to their field by the screens; the environment's
(network, disk, lock) in words with what to do; only bugs reach the dialog.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from desktop.commands import CommandRunner
from models.failures import Failure, environment_problem, kind_of

log = logging.getLogger("repdesk")
LOG_NAME = "repdesk.log"
LOG_BYTES = 1_000_000
LOG_KEEP = 5
HIDDEN = "[hidden]"
# Values that look like credentials, whatever code logged them: OAuth tokens and codes in
# query strings, JSON or headers, and Salesforce's session ids ("00D…!…").
_SECRET_PATTERNS = (
    (re.compile(r"(?i)(bearer\s+)[^\s'\"]+"), r"\1" + HIDDEN),
    (re.compile(r"(?i)((?:access|refresh|id)_token|client_secret|password|code_verifier|"
                r"authorization)(['\"]?\s*[:=]\s*['\"]?)[^\s'\"&,}]+"), r"\1\2" + HIDDEN),
    (re.compile(r"([?&]code=)[^&\s'\"]+"), r"\1" + HIDDEN),
    (re.compile(r"\b00D[0-9A-Za-z]{12,15}![0-9A-Za-z._\-]{20,}"), HIDDEN),
)
_known: set[str] = set()
_known_lock = threading.Lock()


def hide_secret(value: str) -> None:
    """Never write ``value`` to the log (a token the app holds in memory)."""
    if len(value) >= 6:
        with _known_lock:
            _known.add(value)


def redact(text: str) -> str:
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        text = text.replace(value, HIDDEN)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def start_log(profile: Path) -> Path | None:
    """Log to ``profile/logs/repdesk.log`` (rotated), and send Python's and Qt's unhandled
    errors there too. Returns the log's path (None where the profile cannot be written: the
    app still runs, and the store says why it cannot save)."""
    folder = profile / "logs"
    path = folder / LOG_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_KEEP,
                                      encoding="utf-8")
    except OSError:
        qInstallMessageHandler(_qt_message)
        return None
    root = logging.getLogger()
    for existing in list(root.handlers):
        if isinstance(existing, RotatingFileHandler):
            root.removeHandler(existing)
            existing.close()
    handler.setFormatter(_RedactingFormatter(
        "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    qInstallMessageHandler(_qt_message)
    return path


_QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}


def _qt_message(kind: QtMsgType, _context: object, message: str) -> None:
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


class BugReport(QObject):
    """Logs a bug with its traceback and tells the rep once, politely, where the log is."""

    shown = Signal(str)  # the dialog's text, for whoever watches (tests, the status bar)

    def __init__(self, log_path: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.dialog: QMessageBox | None = None
        self._told: set[tuple[str, str]] = set()
        self.window: QWidget | None = None

    def install(self) -> None:
        """Python's last-resort hook: an exception no code caught (a slot's, say)."""
        sys.excepthook = self._unhandled

    def _unhandled(self, kind: type[BaseException], error: BaseException,
                   trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        log.error("Unhandled error", exc_info=(kind, error, trace))
        self.tell(error)

    def bug(self, error: BaseException, _what: str) -> None:
        """A bug the command runner has logged already."""
        self.tell(error)

    def tell(self, error: BaseException) -> None:
        """One dialog: the same error again, or a second while one is open, goes only to the
        log."""
        key = (type(error).__name__, str(error)[:200])
        if key in self._told or (self.dialog is not None and self.dialog.isVisible()):
            return
        self._told.add(key)
        text = ("Something went wrong inside RepDesk. What you saved is safe; the last "
                "action may not have finished.")
        box = QMessageBox(QMessageBox.Icon.Warning, "RepDesk hit a problem", text,
                          QMessageBox.StandardButton.Ok, self.window)
        box.setInformativeText(
            f"The details are in the log:\n{self.log_path}\nPlease send that file to whoever "
            "supports RepDesk." if self.log_path else
            "RepDesk could not write its log in the profile folder; check the disk.")
        self.dialog = box
        box.open()
        self.shown.emit(text)


def report_failures(commands: CommandRunner, report: BugReport, status: QStatusBar) -> None:
    """A bug in any write goes to the log and the dialog (its screen also says the save did
    not happen); another failure with no screen to say it goes to the status bar, in words."""

    def failure(error: BaseException, what: str) -> None:
        if kind_of(error) is Failure.ENVIRONMENT:
            log.warning("%s: %s", what, error)
            status.showMessage(f"{what}: not done. {environment_problem(error)}", 15_000)
        else:
            status.showMessage(f"{what}: not done. {error}", 15_000)

    commands.bug_found.connect(report.bug)
    commands.failed.connect(failure)
