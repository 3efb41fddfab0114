"""A query page larger than RepDesk reads (records wide enough that 2,000 of them pass the
answer cap) is asked for again in smaller pages (Salesforce's ``Sforce-Query-Options:
batchSize``), not refused. Against the real sandbox over loopback, with the adapter's cap
lowered to a third of a full page instead of sending 32 MB."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.crm_commands import seed_leads
from models.crm.adapter import AnswerTooLarge
from models.crm.salesforce import API_VERSION, SalesforceRest
from models.store import Lead
from models.store.open import Store
from models.sync.engine import sync_once
from models.sync.fieldmap import field_map
from models.sync.pull import select_fields
from tests.integration.conftest import Crm, clock

LEADS = 2_500


def _full_page_bytes(crm: Crm) -> int:
    """The size of the first page of leads the pull asks for, at 2,000 records."""
    spec = field_map().by_table("leads")
    assert spec is not None
    soql = f"SELECT {select_fields(spec, 'RepDesk_Id__c')} FROM Lead ORDER BY SystemModstamp"
    answer = crm.adapter.http.get(
        f"{crm.server.base_url}/services/data/{API_VERSION}/query", params={"q": soql},
        headers={"Authorization": f"Bearer {crm.tokens.access_token}"}, timeout=60)
    assert answer.ok and len(answer.json()["records"]) == 2_000
    return len(answer.content)


def _capped(crm: Crm, max_answer_bytes: int) -> SalesforceRest:
    return SalesforceRest(crm.tokens.instance_url, lambda: crm.tokens.access_token,
                          lambda: crm.tokens.access_token, sleep=lambda _s: None,
                          max_answer_bytes=max_answer_bytes, org=crm.tokens.org)


def _stored(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(Lead)) or 0


def test_a_page_too_large_to_read_is_asked_for_in_smaller_pages(store: Store,
                                                                 crm: Crm) -> None:
    seed_leads(crm.sandbox, LEADS)
    # 2,000 and 1,000 records a page are over the cap; 500 are under it.
    adapter = _capped(crm, _full_page_bytes(crm) // 3)

    report = sync_once(store.sessions, adapter, clock)

    assert report.pull.received == LEADS and _stored(store) == LEADS


def test_a_page_too_large_even_at_the_smallest_size_is_refused_and_nothing_is_half_kept(
        store: Store, crm: Crm) -> None:
    seed_leads(crm.sandbox, LEADS)
    adapter = _capped(crm, _full_page_bytes(crm) // 40)  # 200 records: a tenth of a page

    with pytest.raises(AnswerTooLarge, match="even at 200 records a page"):
        sync_once(store.sessions, adapter, clock)
    assert _stored(store) == 0
