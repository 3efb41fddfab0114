"""A hypothesis state machine interleaves local edits, remote edits and syncs under faults;
whatever the order, a last sync without faults converges."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select

from models.crm.adapter import CrmError
from models.crm.sandbox.server import Sandbox, SandboxServer
from models.store import Lead, SyncConflict
from models.store.open import open_store
from models.sync.engine import sync_once
from tests.integration.conftest import connect

TITLES = st.sampled_from(["CEO", "CTO", "VP Sales", "IT Manager", "Student"])
FAULTS = st.lists(st.sampled_from(["503", "drop", "lost", "lock", "expired"]), max_size=3)


def clock() -> datetime:
    return datetime.now(UTC)


class SyncMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.store = open_store(Path(self.folder.name))
        self.server = SandboxServer(Sandbox()).start()
        self.crm = connect(self.server)

    def _local_ids(self) -> list[str]:
        with self.store.sessions() as session:
            return list(session.scalars(select(Lead.id).order_by(Lead.id)))

    @rule(title=TITLES)
    def create_here(self, title: str) -> None:
        with self.store.sessions.begin() as session:
            session.add(Lead(last_name="Lead", company="Acme", title=title,
                             created_at=clock()))

    @rule(title=TITLES, pick=st.integers(min_value=0))
    def edit_here(self, title: str, pick: int) -> None:
        ids = self._local_ids()
        if ids:
            with self.store.sessions.begin() as session:
                lead = session.get(Lead, ids[pick % len(ids)])
                assert lead is not None
                lead.title = title

    @rule(title=TITLES, pick=st.integers(min_value=0))
    def edit_there(self, title: str, pick: int) -> None:
        remote = list(self.crm.sandbox.store.all("Lead"))
        if remote:
            record = remote[pick % len(remote)]
            self.crm.sandbox.store.update("Lead", record.id, {"Title": title})

    @rule(faults=FAULTS)
    def sync(self, faults: list[str]) -> None:
        self.crm.sandbox.faults.queue(*faults)
        with contextlib.suppress(CrmError):  # a fault may stop a run; nothing may be lost
            sync_once(self.store.sessions, self.crm.adapter, clock)
        self.crm.sandbox.faults.clear()

    @invariant()
    def never_a_duplicate(self) -> None:
        ext = [r.fields.get("RepDesk_Id__c") for r in self.crm.sandbox.store.all("Lead")]
        assert len(ext) == len(set(ext))

    def teardown(self) -> None:
        """After the last step, with the faults gone: converge."""
        sync_once(self.store.sessions, self.crm.adapter, clock)
        sync_once(self.store.sessions, self.crm.adapter, clock)
        remote = {r.fields["RepDesk_Id__c"]: r for r in self.crm.sandbox.store.all("Lead")}
        with self.store.sessions() as session:
            local = list(session.scalars(select(Lead)))
            conflicts = {c.record_id for c in session.scalars(select(SyncConflict).where(
                SyncConflict.field == "title"))}
        assert set(remote) == {lead.id for lead in local}
        for lead in local:
            if lead.id not in conflicts:
                assert remote[lead.id].fields.get("Title") == lead.title
        self.server.stop()
        self.store.close()
        self.folder.cleanup()


SyncMachine.TestCase.settings = settings(
    max_examples=15, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_interleaved_edits_and_syncs_converge = SyncMachine.TestCase
