"""`repdesk sandbox` says Ctrl+C stops it: it must, whoever started it."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest


def _ignoring_ctrl_c() -> None:
    # As a non-interactive shell starts a background job: Ctrl+C ignored from the start.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_the_sandbox_stops_cleanly_even_when_started_with_ctrl_c_ignored(
        stop: signal.Signals) -> None:
    process = subprocess.Popen([sys.executable, "-m", "desktop", "sandbox", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=_ignoring_ctrl_c)
    try:
        assert process.stdout is not None
        assert "Sandbox CRM at" in process.stdout.readline()
        process.send_signal(stop)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
