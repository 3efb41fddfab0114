"""The sandbox's SOQL over HTTP: what a query selects, page after page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from desktop.crm_commands import seed_leads
from models.crm.adapter import CrmError
from models.crm.sandbox.store import bulk_load
from models.store import Lead
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock


def _ids(crm: Crm, soql: str) -> set[str]:
    return {r["Id"] for page in crm.adapter.query(soql) for r in page}


def test_a_modstamp_bound_selects_recent_records_unless_an_or_widens_it(crm: Crm) -> None:
    bulk_load(crm.sandbox.store, "Lead", [{"LastName": "Old", "Company": "Acme"}],
              age=timedelta(days=3))
    recent = crm.sandbox.store.create("Lead", {"LastName": "New", "Company": "Acme"})
    old = next(r.id for r in crm.sandbox.store.all("Lead") if r.id != recent.id)
    since = f"{datetime.now(UTC) - timedelta(days=1):%Y-%m-%dT%H:%M:%S}Z"
    assert _ids(crm, f"SELECT Id FROM Lead WHERE SystemModstamp > {since}") == {recent.id}
    assert _ids(crm, f"SELECT Id FROM Lead WHERE SystemModstamp > {since} "
                     "AND Company = 'Acme'") == {recent.id}
    assert _ids(crm, f"SELECT Id FROM Lead WHERE SystemModstamp > {since} "
                     "OR LastName = 'Old'") == {recent.id, old}
    assert _ids(crm, f"SELECT Id FROM Lead WHERE NOT SystemModstamp > {since}") == {old}
    assert _ids(crm, f"SELECT Id FROM Lead WHERE (LastName = 'Old' OR LastName = 'New') "
                     f"AND SystemModstamp >= {since}") == {recent.id}


def test_pages_come_in_order_and_each_record_once(crm: Crm) -> None:
    seed_leads(crm.sandbox, 4500)
    pages = list(crm.adapter.query("SELECT Id, SystemModstamp, LastName FROM Lead "
                                   "ORDER BY SystemModstamp"))
    assert [len(page) for page in pages] == [2000, 2000, 500]
    records = [r for page in pages for r in page]
    assert len({r["Id"] for r in records}) == 4500
    assert [r["SystemModstamp"] for r in records] == sorted(r["SystemModstamp"] for r in records)
    assert all(set(r) == {"attributes", "Id", "SystemModstamp", "LastName"} for r in records)
    by_name = list(crm.adapter.query("SELECT Id, LastName FROM Lead ORDER BY LastName DESC "
                                     "LIMIT 2500"))
    names = [r["LastName"] for page in by_name for r in page]
    assert len(names) == 2500 and names == sorted(names, reverse=True)


class _EditsWhilePaging:
    """The CRM's answers, with a rep elsewhere editing a lead of a later page while the
    first page is being stored."""

    def __init__(self, crm: Crm, edit: dict[str, Any]) -> None:
        self.crm, self.edit = crm, edit

    def __getattr__(self, name: str) -> Any:
        return getattr(self.crm.adapter, name)

    def query(self, soql: str) -> Any:
        for number, page in enumerate(self.crm.adapter.query(soql)):
            yield page
            if " FROM Lead " in soql and number == 0:
                last = max(self.crm.sandbox.store.all("Lead"), key=lambda r: r.modstamp)
                self.crm.sandbox.store.update("Lead", last.id, self.edit)
                self.edited = last.id


def test_a_lead_changed_while_a_pull_pages_arrives_by_the_next_sync(crm: Crm,
                                                                    store: Store) -> None:
    seed_leads(crm.sandbox, 2500)
    paging = _EditsWhilePaging(crm, {"Title": "VP Sales"})
    sync_once(store.sessions, paging, clock)  # type: ignore[arg-type]
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        lead = session.scalars(select(Lead).where(Lead.crm_id == paging.edited)).one()
        assert lead.title == "VP Sales"
        assert len(session.scalars(select(Lead.id)).all()) == 2500


def test_a_read_through_query_is_closed_and_only_ten_stay_open(crm: Crm) -> None:
    bulk_load(crm.sandbox.store, "Lead", [{"LastName": f"L{n}", "Company": "Acme"}
                                          for n in range(250)])

    def first_page() -> Any:
        return crm.adapter.call("GET", "query", params={"q": "SELECT Id FROM Lead"},
                                headers={"Sforce-Query-Options": "batchSize=200"})

    read_through = first_page()
    assert len(crm.adapter.call("GET", read_through["nextRecordsUrl"])["records"]) == 50
    opened = [first_page() for _ in range(11)]
    for page in (read_through, opened[0]):
        with pytest.raises(CrmError, match="invalid query locator"):
            crm.adapter.call("GET", page["nextRecordsUrl"])
    assert len(crm.adapter.call("GET", opened[1]["nextRecordsUrl"])["records"]) == 50
