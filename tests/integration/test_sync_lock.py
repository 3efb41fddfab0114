"""Two syncs of one profile at once (two windows, or a window and ``repdesk sync``): the second
waits for the first, so no change goes to the CRM twice. Real processes, the real sandbox over
loopback through the fault proxy, which holds the first create back until a second one comes
(it can only come from a second sync that did not wait). A sync held up longer than it waits
gives up, sends nothing and keeps everything for the next."""

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

from desktop.crm_commands import BUSY
from models.crm.sandbox.server import Sandbox, SandboxServer
from models.store import Lead, OutboxEntry
from models.store.open import open_store
from models.sync.lock import lock_file, one_sync_at_a_time
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


def _sync(folder: Path, url: str, *more: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "sync", "--data-dir", str(folder), "--crm", url,
         "--json", *more], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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


def test_a_sync_that_waits_too_long_for_another_gives_up_with_its_own_exit_code_and_loses_nothing(
        tmp_path: Path, behind_proxy: tuple[FaultProxy, Sandbox]) -> None:
    proxy, sandbox = behind_proxy
    store = open_store(tmp_path)
    with store.sessions.begin() as session:
        session.add(Lead(last_name="Sato", company="Orion", created_at=datetime.now(UTC)))
    try:
        # Another sync of the profile holds the lock all along (a window's, say).
        with one_sync_at_a_time(lock_file(store.sessions)):
            run = _sync(tmp_path, proxy.base_url, "--wait-at-most", "1")
            out, err = run.communicate(timeout=120)
            assert run.returncode == BUSY, (out, err)
            assert "waits for it to end, 1 second at most" in err
            assert ("The sync gave up: another sync of this profile has been running for over "
                    "1 second, so this one gave up before sending anything; everything waits "
                    "for the next sync.") in err
            assert out == ""
            assert list(sandbox.store.all("Lead")) == []
            with store.sessions() as session:
                assert [e.state for e in session.query(OutboxEntry)] == ["pending"]
        # That one has ended: the next sync sends what waited.
        run = _sync(tmp_path, proxy.base_url)
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert json.loads(out)["pushed"] == 1
        assert [r.fields["LastName"] for r in sandbox.store.all("Lead")] == ["Sato"]
    finally:
        store.close()
