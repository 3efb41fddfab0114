"""Switches that make the sandbox misbehave the way a real CRM and network do."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field


@dataclass
class Faults:
    """Each queued fault hits one data-API request, in order. Thread-safe."""

    latency_s: float = 0.0
    # Reported in Sforce-Limit-Info instead of the real count: (calls used, daily limit).
    api_usage: tuple[int, int] | None = None
    _queue: deque[str] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def queue(self, *kinds: str) -> None:
        """Kinds: "500", "503", "drop" (connection closed mid-response, nothing done),
        "lost" (the request is carried out, then the connection drops before the answer),
        "expired" (401), "limit" (REQUEST_LIMIT_EXCEEDED), "lock" (UNABLE_TO_LOCK_ROW)."""
        with self._lock:
            self._queue.extend(kinds)

    def next(self) -> str | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
        self.latency_s = 0.0
        self.api_usage = None
