"""A packaged window stopped by the system takes its sync process with it: SIGTERM (a logout,
``kill``) closes it cleanly and ends the sync process, and even a SIGKILL, which the window
never sees, leaves no sync process behind. Real processes, started the way the packaged app
starts them, syncing with the demo's sandbox CRM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.packaging.frozen_app import launcher

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads the process table from /proc")
# Bounds on waiting for something that happens far sooner; no figure is asserted.
START_S = 240.0
END_S = 60.0


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    found = _stat(pid)
    return found is not None and found[0] != "Z"  # a zombie has ended


def _children(pid: int) -> Iterator[tuple[int, str]]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        found = _stat(int(entry.name))
        if found is not None and found[1] == pid:
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (FileNotFoundError, ProcessLookupError):
                continue
            yield int(entry.name), command


def _wait_until(done: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def started() -> Iterator[list[int]]:
    """The processes a test's window started; any still running at the end is ended, so a
    failing run leaves nothing behind either."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _window_with_its_sync_process(tmp_path: Path, started: list[int]) -> subprocess.Popen[bytes]:
    """A demo window, once its first scheduled sync has started its sync process; ``started``
    gets every process the window started. Its output goes to files: an orphan holding a pipe
    would keep a reader waiting after the window has gone."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               REPDESK_FROZEN_LOG=str(tmp_path / "starts.jsonl"))
    with open(tmp_path / "window.log", "wb") as log:
        window = subprocess.Popen(
            [str(launcher(tmp_path)), "--data-dir", str(tmp_path / "profile")],
            stdout=log, stderr=subprocess.STDOUT, env=env)
    syncing = _wait_until(lambda: any("--multiprocessing-fork" in command
                                      for _pid, command in _children(window.pid)), START_S)
    started.extend(pid for pid, _command in _children(window.pid))
    if not syncing:
        window.kill()
        window.wait()
        pytest.fail("the window started no sync process: "
                    f"{(tmp_path / 'window.log').read_text()}")
    return window


def _left_running(started: list[int]) -> list[int]:
    return [pid for pid in started if _alive(pid)]


def test_a_window_stopped_with_sigterm_closes_and_ends_its_sync_process(
        tmp_path: Path, started: list[int]) -> None:
    window = _window_with_its_sync_process(tmp_path, started)

    window.send_signal(signal.SIGTERM)

    # Closed as the rep closes it, not killed by the signal.
    assert window.wait(timeout=END_S) == 0, (tmp_path / "window.log").read_text()
    _wait_until(lambda: not _left_running(started), END_S)
    assert _left_running(started) == []


def test_a_window_killed_outright_leaves_no_sync_process(
        tmp_path: Path, started: list[int]) -> None:
    window = _window_with_its_sync_process(tmp_path, started)

    window.send_signal(signal.SIGKILL)
    window.wait(timeout=END_S)

    _wait_until(lambda: not _left_running(started), END_S)
    assert _left_running(started) == []
