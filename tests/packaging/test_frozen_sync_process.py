"""The window's sync process started the way the packaged app starts it (a spawn that runs the
frozen executable again), against the demo's sandbox CRM, through the real entry point."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

from tests.packaging.frozen_app import launcher


def test_a_frozen_window_syncs_once_through_its_spawned_sync_process(tmp_path: Path) -> None:
    log = tmp_path / "starts.jsonl"
    profile = tmp_path / "profile"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", REPDESK_FROZEN_LOG=str(log))
    done = subprocess.run(
        [str(launcher(tmp_path)), "--data-dir", str(profile), "--exit-after-sync"],
        capture_output=True, text=True, env=env, timeout=300, check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "first sync: Synced:" in done.stdout, done.stdout + done.stderr
    assert "invalid choice" not in done.stderr
    starts = [json.loads(line) for line in log.read_text().splitlines()]
    # The window, its sync process and multiprocessing's resource tracker, each started as
    # the packaged app starts them.
    assert starts[0] == ["--data-dir", str(profile), "--exit-after-sync"]
    assert any(args[:1] == ["--multiprocessing-fork"] for args in starts[1:]), starts
    assert any("-c" in args and "resource_tracker" in args[-1] for args in starts[1:]), starts
    with sqlite3.connect(profile / "repdesk.db") as db:
        pulled = db.execute(
            "SELECT count(*) FROM sync_state WHERE last_pull_at IS NOT NULL").fetchone()[0]
    assert pulled > 0
