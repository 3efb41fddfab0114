"""The one path every write a screen asks for takes: off the UI thread, one at a time in the
order asked, never coalesced or dropped, its action disabled while it runs, its error reported.

A write returns ``Changed(value, changes)`` (or bare ``Changes``): the screen that asked gets
``value``, and the bus tells every screen what changed. Reads stay on ``views.background``,
where the newest request wins.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal

from desktop.change_bus import ChangeBus
from models.changes import NOTHING, Changed, Changes
from models.failures import Failure, kind_of
from views.background import screen_gone

log = logging.getLogger(__name__)


class Switchable(Protocol):
    """A button, an action, a whole form: anything that can be disabled while its write runs."""

    def setEnabled(self, enabled: bool) -> None: ...


@dataclass
class _Waiting:
    what: str
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    action: Switchable | None
    origin: object | None


class _Relay(QObject):
    finished = Signal(int, object, object)  # ticket, Changed, error


class CommandRunner(QObject):
    """``run(what, write, on_done, on_error, action, origin)``."""

    # A failed write whose screen gave no ``on_error``, a bug aside: (error, what was done).
    failed = Signal(object, str)
    # A write failed because of a bug (whether or not its screen says so): (error, what).
    bug_found = Signal(object, str)

    def __init__(self, bus: ChangeBus | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bus = bus or ChangeBus(self)
        self._tickets = itertools.count(1)
        self._waiting: dict[int, _Waiting] = {}
        self._held: dict[int, tuple[Switchable, int]] = {}
        self._jobs: queue.SimpleQueue[tuple[int, Callable[[], Any]] | None] = queue.SimpleQueue()
        self._unfinished = 0
        self._lock = threading.Condition()
        self._relay = _Relay()
        self._stopped = False
        self._relay.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        # One worker: SQLite takes one writer at a time anyway, and one thread keeps the order.
        self._worker = threading.Thread(target=self._work, name="repdesk-writes", daemon=True)
        self._worker.start()

    def run(self, what: str, write: Callable[[], Changed[Any] | Changes | None],
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            action: Switchable | None = None, origin: object | None = None) -> None:
        """Queue ``write``. From the UI thread; or, without an ``action``, from a background
        job that writes in steps (account matching)."""
        ticket = next(self._tickets)
        self._waiting[ticket] = _Waiting(what, on_done, on_error, action, origin)
        if action is not None:
            self._hold(action)
        with self._lock:
            self._unfinished += 1
        self._jobs.put((ticket, write))

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every write asked for so far has run (their results still have to be
        delivered by the event loop). For shutdown and tests."""
        with self._lock:
            return self._lock.wait_for(lambda: self._unfinished == 0, timeout)

    def idle(self) -> bool:
        """Nothing running and no result waiting to be delivered."""
        return not self._waiting

    def stop(self) -> None:
        self._stopped = True
        self._jobs.put(None)

    @property
    def stopped(self) -> bool:
        """Nothing queued from now on will run (the window is closing)."""
        return self._stopped

    # -- the worker thread -----------------------------------------------------------------
    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            ticket, write = job
            try:
                result, error = write(), None
            except Exception as exc:  # handed back to the screen, never lost
                result, error = None, exc
            self._relay.finished.emit(ticket, result, error)
            with self._lock:
                self._unfinished -= 1
                self._lock.notify_all()

    # -- back on the UI thread -------------------------------------------------------------
    def _deliver(self, ticket: int, result: Any, error: BaseException | None) -> None:
        waiting = self._waiting.pop(ticket)
        if waiting.action is not None:
            self._release(waiting.action)
        if error is not None:
            self._fail(waiting, error)
            return
        value, changes = _unpack(result)
        try:
            if waiting.on_done is not None and not screen_gone(waiting.on_done):
                waiting.on_done(value)
        finally:
            self.bus.announce(changes, waiting.origin)

    def _fail(self, waiting: _Waiting, error: BaseException) -> None:
        bug = kind_of(error) is Failure.BUG
        # A form freed since it asked (the rep opened the next one) cannot show it: the
        # status bar does.
        if waiting.on_error is not None and not screen_gone(waiting.on_error):
            waiting.on_error(error)
        elif not bug:
            self.failed.emit(error, waiting.what)
        if bug:
            log.error("%s failed", waiting.what,
                      exc_info=(type(error), error, error.__traceback__))
            self.bug_found.emit(error, waiting.what)
        else:
            log.info("%s failed: %s", waiting.what, type(error).__name__)

    def _hold(self, action: Switchable) -> None:
        key = id(action)
        _held, count = self._held.get(key, (action, 0))
        if count == 0:
            action.setEnabled(False)
        self._held[key] = (action, count + 1)

    def _release(self, action: Switchable) -> None:
        key = id(action)
        _held, count = self._held.pop(key, (action, 1))
        if count > 1:
            self._held[key] = (action, count - 1)
            return
        with contextlib.suppress(RuntimeError):  # the form closed while its write ran
            action.setEnabled(True)


def _unpack(result: Any) -> tuple[Any, Changes]:
    if isinstance(result, Changed):
        return result.value, result.changes
    if isinstance(result, Changes):
        return None, result
    return result, NOTHING
