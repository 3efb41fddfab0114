"""A first pull loads an empty store in bulk: many records, their indexes built after, and
a load cut short leaves nothing missing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop.crm_commands import seed_leads
from models.crm.adapter import TransientError
from models.store import Account, Base, Contact, Lead
from models.store.open import Store, open_store
from models.sync.engine import sync_once
from models.sync.fieldmap import field_map
from models.sync.pull import LOAD_FROM, pull
from tests.integration.conftest import Crm, clock

LEADS = 3 * LOAD_FROM


def _indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}


def _declared() -> set[str]:
    return {str(index.name) for table in Base.metadata.sorted_tables for index in table.indexes}


def test_a_first_pull_stores_every_lead_as_the_crm_has_it_with_every_index(
        crm: Crm, store: Store) -> None:
    seed_leads(crm.sandbox, LEADS)
    report = sync_once(store.sessions, crm.adapter, clock)
    assert report.pull.created == LEADS
    assert _declared() <= _indexes(store.path)
    remote = {r.id: r for r in crm.sandbox.store.all("Lead")}
    with store.sessions() as session:
        leads = list(session.scalars(select(Lead)))
    assert len(leads) == LEADS
    for lead in leads[:: LOAD_FROM // 7]:
        fields = remote[lead.crm_id or ""].fields  # type: ignore[index]
        assert (lead.last_name, lead.company, lead.email, lead.employees) == (
            fields["LastName"], fields["Company"], fields.get("Email"),
            fields.get("NumberOfEmployees"))
        assert lead.created_at == datetime.fromisoformat(fields["Created_In_RepDesk__c"])
        assert lead.crm_modstamp is not None and lead.crm_modstamp.tzinfo is UTC
        assert lead.registration == {} and lead.do_not_call is False
        assert lead.base is not None and lead.base["last_name"] == lead.last_name
        assert lead.base["created_at"] == lead.created_at.isoformat()
        assert lead.search_key == " ".join(
            p for p in (lead.first_name, lead.last_name, lead.company, lead.email) if p
        ).casefold()


def test_an_edit_after_a_bulk_load_reaches_the_crm(crm: Crm, store: Store) -> None:
    seed_leads(crm.sandbox, LEADS)
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions.begin() as session:
        lead = session.scalars(select(Lead).order_by(Lead.crm_id).limit(1)).one()
        lead.title = "Head of Finance"
    report = sync_once(store.sessions, crm.adapter, clock)
    assert report.push.sent == 1
    assert crm.sandbox.store.get("Lead", lead.crm_id or "").fields["Title"] == \
        "Head of Finance"  # type: ignore[union-attr]


class _FailsAfter:
    """The CRM's answers, until the connection drops after ``pages`` pages of leads."""

    def __init__(self, crm: Crm, pages: int) -> None:
        self.crm, self.pages = crm, pages

    def query(self, soql: str) -> Any:
        for number, page in enumerate(self.crm.adapter.query(soql)):
            if " FROM Lead " in soql and number == self.pages:
                raise TransientError("the connection dropped")
            yield page


def test_a_pull_cut_short_keeps_its_pages_and_every_index(crm: Crm, store: Store) -> None:
    seed_leads(crm.sandbox, LEADS)
    with pytest.raises(TransientError):
        pull(store.sessions, _FailsAfter(crm, pages=1), field_map(), clock)  # type: ignore[arg-type]
    assert _declared() <= _indexes(store.path)
    with store.sessions() as session:
        kept = len(session.scalars(select(Lead.id)).all())
    assert 0 < kept < LEADS
    report = sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        assert len(session.scalars(select(Lead.id)).all()) == LEADS
    assert report.pull.created == LEADS - kept


def test_opening_a_store_builds_the_indexes_a_killed_load_left_missing(tmp_path: Path) -> None:
    folder = tmp_path / "profile"
    open_store(folder).close()
    path = folder / "repdesk.db"
    with sqlite3.connect(path) as connection:
        connection.execute("DROP INDEX ix_leads_queue")
        connection.execute("DROP INDEX ix_accounts_domain")
    assert "ix_leads_queue" not in _indexes(path)
    open_store(folder).close()
    assert {"ix_leads_queue", "ix_accounts_domain"} <= _indexes(path)


def test_a_pulled_record_points_at_its_parents_row_here(crm: Crm, store: Store) -> None:
    account = crm.sandbox.store.create("Account", {"Name": "Lyon Freight"})
    crm.sandbox.store.create("Contact", {"LastName": "Moreau", "AccountId": account.id})
    crm.sandbox.store.create("Contact", {"LastName": "Petit"})
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        local_account = session.scalars(select(Account).where(
            Account.crm_id == account.id)).one()
        contacts = {c.last_name: c.account_id for c in session.scalars(select(Contact))}
    assert contacts == {"Moreau": local_account.id, "Petit": None}
