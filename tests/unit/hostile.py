"""What every bad-input case checks: the store as it was (row counts and SQLite's integrity
check), and, for commands run as a process, a message with no traceback within a time bound."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Generous on a loaded two-core machine; a hang (a FIFO, a browser waited for) runs past it.
COMMAND_SECONDS = 90
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class StoreState:
    counts: dict[str, int]
    integrity: str


def store_state(path: Path) -> StoreState:
    """Every table's row count and ``PRAGMA integrity_check``, read without writing."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                  for t in tables}
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()
    return StoreState(counts, integrity)


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def repdesk(*args: str, preexec: Callable[[], None] | None = None) -> Outcome:
    """``repdesk ARGS`` as its own process; fails the test on a traceback or a hang."""
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=COMMAND_SECONDS, preexec_fn=preexec, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert "Traceback" not in done.stderr, done.stderr
    return Outcome(done.returncode, done.stdout, done.stderr)
