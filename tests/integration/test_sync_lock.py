"""Two syncs of one profile at once (two windows, or a window and ``repdesk sync``): the second
waits for the first, so no change goes to the CRM twice. Real processes, the real sandbox over
loopback through the fault proxy, which holds the first create back until a second one comes
(it can only come from a second sync that did not wait)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models.crm.sandbox.server import Sandbox, SandboxServer
from models.store import Lead, OutboxEntry
from models.store.open import open_store
from tests.integration.fault_proxy import FaultProxy

# Long enough for a second sync started with the first to reach its own create when it does
# not wait; with the lock it never comes, and the first goes on after this.
HOLD_S = 5.0
LEADS = 3


@pytest.fixture
def behind_proxy() -> Iterator[tuple[FaultProxy, Sandbox]]:
    server = SandboxServer(Sandbox()).start()
    proxy = FaultProxy(server.base_url).start()
    yield proxy, server.sandbox
    proxy.stop()
    server.stop()


def _sync(folder: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "sync", "--data-dir", str(folder), "--crm", url,
         "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))


def test_two_syncs_of_one_profile_started_together_send_each_change_once(
        tmp_path: Path, behind_proxy: tuple[FaultProxy, Sandbox]) -> None:
    proxy, sandbox = behind_proxy
    store = open_store(tmp_path)
    with store.sessions.begin() as session:
        for name in ("Sato", "Ito", "Kato")[:LEADS]:
            session.add(Lead(last_name=name, company="Orion", created_at=datetime.now(UTC)))
    store.close()
    creates: list[str] = []
    second = threading.Event()

    def hold_the_first_create(method: str, path: str) -> None:
        if method != "PATCH" or "RepDesk_Id__c" not in path:
            return
        creates.append(path)
        if len(creates) == 1:
            second.wait(HOLD_S)
        else:
            second.set()

    proxy.before_forward.append(hold_the_first_create)
    runs = [_sync(tmp_path, proxy.base_url) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    reports = [json.loads(out) for out, _err in outputs]
    assert sum(report["pushed"] for report in reports) == LEADS  # each change sent once
    assert len(creates) == 1
    leads = list(sandbox.store.all("Lead"))
    assert sorted(r.fields["LastName"] for r in leads) == ["Ito", "Kato", "Sato"]
    # The one that waited said so.
    assert sum("Another sync of this profile is running" in err for _out, err in outputs) == 1
    store = open_store(tmp_path)
    try:
        with store.sessions() as session:
            assert {e.state for e in session.query(OutboxEntry)} == {"done"}
    finally:
        store.close()
