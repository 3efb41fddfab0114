"""Syncs killed at random points: a separate sandbox process, `repdesk sync` in a subprocess
killed mid-run again and again; the next sync still converges, with nothing lost or doubled."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from models.crm.oauth import approve_at_once
from models.crm.salesforce import SalesforceRest
from models.store import Lead, OutboxEntry
from models.store.open import open_store

LEADS = 1500
KILLS = 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sandbox_process() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "desktop", "sandbox", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    assert "Sandbox CRM at" in process.stdout.readline()
    yield f"http://127.0.0.1:{port}"
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _sync(folder: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "desktop", "sync", "--data-dir", str(folder),
                             "--crm", url, "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))


def test_killed_syncs_lose_and_double_nothing(tmp_path: Path, sandbox_process: str) -> None:
    rng = random.Random(11)
    store = open_store(tmp_path)
    with store.sessions.begin() as session:
        session.add_all(Lead(last_name=f"Lead {n}", company=f"Company {n % 97}",
                             created_at=datetime.now(UTC)) for n in range(LEADS))
    store.close()
    killed = 0
    for _ in range(KILLS):
        process = _sync(tmp_path, sandbox_process)
        time.sleep(rng.uniform(0.3, 1.2))
        if process.poll() is None:
            process.kill()
            killed += 1
        process.wait(timeout=30)
    final = _sync(tmp_path, sandbox_process)
    assert final.wait(timeout=120) == 0, final.stderr.read() if final.stderr else ""

    http = requests.Session()
    tokens = approve_at_once(http, sandbox_process)
    adapter = SalesforceRest(tokens.instance_url, lambda: tokens.access_token,
                             lambda: tokens.access_token, http)
    remote = [r for page in adapter.query("SELECT Id, RepDesk_Id__c FROM Lead") for r in page]
    ext_ids = [r["RepDesk_Id__c"] for r in remote]
    assert len(ext_ids) == len(set(ext_ids)) == LEADS
    store = open_store(tmp_path)
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Lead).where(
            Lead.crm_id.is_(None))) == 0
        assert session.scalar(select(func.count()).select_from(OutboxEntry).where(
            OutboxEntry.state != "done")) == 0
        local = set(session.scalars(select(Lead.id)))
    store.close()
    assert local == set(ext_ids)
    assert killed >= 1, "no sync was caught mid-run: lengthen the run or shorten the waits"
    print(f"{killed} of {KILLS} syncs killed mid-run")
