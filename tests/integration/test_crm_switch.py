"""A profile that syncs with another CRM than before (a demo profile connected to the team's
org, one org replaced by another) reads the new one in full: its records older than the old
CRM's watermarks come in too, and a record already here is not added a second time. Two real
sandbox CRMs over loopback, each an org of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.crm.sandbox.server import Sandbox, SandboxServer
from models.crm.sandbox.store import bulk_load
from models.store import Lead
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock, connect


@pytest.fixture
def other_crm() -> Iterator[Crm]:
    server = SandboxServer(Sandbox()).start()
    yield connect(server)
    server.stop()


def _leads(*names: str, **fields: str) -> list[dict[str, str]]:
    return [{"LastName": name, "Company": "Orion", **fields} for name in names]


def _local_names(store: Store) -> list[str]:
    with store.sessions() as session:
        return sorted(session.scalars(select(Lead.last_name)))


def test_a_profile_moved_to_another_crm_reads_its_older_records_without_doubling_its_own(
        store: Store, crm: Crm, other_crm: Crm) -> None:
    assert crm.tokens.org != other_crm.tokens.org  # two orgs
    bulk_load(crm.sandbox.store, "Lead", _leads("Abe", "Baba"), timedelta(days=3))
    with store.sessions.begin() as session:
        mine = Lead(last_name="Sato", company="Orion", created_at=clock())
        session.add(mine)
    sync_once(store.sessions, crm.adapter, clock)
    assert _local_names(store) == ["Abe", "Baba", "Sato"]
    # The other org holds records from before this profile's last pull, and a copy of the
    # rep's own lead (carried over with RepDesk's id).
    older = bulk_load(other_crm.sandbox.store, "Lead",
                      _leads("Chiba", "Doi", "Endo") + _leads("Sato", RepDesk_Id__c=mine.id),
                      timedelta(days=2))

    report = sync_once(store.sessions, other_crm.adapter, clock)

    assert _local_names(store) == ["Abe", "Baba", "Chiba", "Doi", "Endo", "Sato"]
    with store.sessions() as session:
        linked = set(session.scalars(select(Lead.crm_id).where(Lead.crm_id.is_not(None))))
        assert {crm_id for crm_id, _stamp in older} <= linked
        found = session.get(Lead, mine.id)
        assert found is not None and found.crm_id == older[-1][0]  # the copy, linked
        assert session.scalar(select(func.count()).select_from(Lead)) == 6
    assert report.pull.created == 3
    assert sync_once(store.sessions, other_crm.adapter, clock).pull.created == 0
    assert len(_local_names(store)) == 6
