"""Run slow calls off the UI thread and hand their results back on it.

Results arrive through a queued signal, so slots run on the main thread. Each ``key`` keeps
only its newest job's result: a search typed over a slower earlier one never shows stale rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    finished = Signal(str, int, object, object)


class _Job(QRunnable):
    def __init__(self, relay: _Relay, key: str, generation: int,
                 fn: Callable[[], Any]) -> None:
        super().__init__()
        self._relay, self._key, self._generation, self._fn = relay, key, generation, fn

    def run(self) -> None:
        try:
            result, error = self._fn(), None
        except Exception as exc:  # handed to the caller's error slot, never lost
            result, error = None, exc
        self._relay.finished.emit(self._key, self._generation, result, error)


def screen_gone(callback: Callable[..., Any] | None) -> bool:
    """True when ``callback`` is a method of a widget that no longer exists (its window was
    closed, or rebuilt for another rep, while the job ran): there is nothing left to show."""
    owner = getattr(callback, "__self__", None)
    return isinstance(owner, QObject) and not shiboken6.isValid(owner)


class Background(QObject):
    """``run(key, fn, on_done)``: call ``fn()`` in a worker, then ``on_done(result)``."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver)
        self._generations: dict[str, int] = {}
        self._callbacks: dict[str, tuple[Callable[[Any], None],
                                         Callable[[BaseException], None] | None]] = {}

    def run(self, key: str, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None) -> None:
        generation = self._generations.get(key, 0) + 1
        self._generations[key] = generation
        self._callbacks[key] = (on_done, on_error)
        self._pool.start(_Job(self._relay, key, generation, fn))

    def wait(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    def idle(self) -> bool:
        """No job running and no result waiting to be delivered."""
        return self._pool.activeThreadCount() == 0 and not self._callbacks

    def _deliver(self, key: str, generation: int, result: Any, error: Any) -> None:
        if generation != self._generations.get(key):
            return
        on_done, on_error = self._callbacks.pop(key)
        if screen_gone(on_done):
            return
        if error is None:
            on_done(result)
        elif on_error is not None:
            on_error(error)
        else:
            log.error("background job %s failed", key, exc_info=error)
