"""Searching and reading leads as the leads table and the lead panel do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from models.leads import LeadDirectory
from models.store import Account, Activity, Lead, User
from models.store.open import Store

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def directory(store: Store) -> LeadDirectory:
    with store.sessions.begin() as session:
        rep = User(name="Amelia Hughes", role="SDR-inbound", timezone="Europe/London")
        account = Account(name="Granite Logistics Ltd", kind="customer", domain="granite.co.uk")
        session.add_all([rep, account])
        session.flush()
        for hours, (first, last, company, email) in enumerate([
            ("Jennifer", "Smith", "Granite Logistics", "jsmith@granite.co.uk"),
            ("John", "Smithers", "Apex Foods Inc.", "john@apexfoods.com"),
            ("Ana", "Silva", "Nova Retail 100% Ltda.", "ana@gmail.com"),
            ("Yuki", "Tanaka", "Orion_Labs K.K.", "yuki@orion.co.jp"),
        ]):
            session.add(Lead(id=f"lead-{hours}", first_name=first, last_name=last,
                             company=company, email=email, owner_id=rep.id,
                             account_id=account.id if hours == 0 else None,
                             created_at=T0 + timedelta(hours=hours),
                             registration={"Budget": "Approved"} if hours == 0 else {}))
        session.add(Activity(kind="call", lead_id="lead-0", owner_id=rep.id,
                             subject="Call: voicemail", outcome="voicemail",
                             occurred_at=T0 + timedelta(hours=5)))
    return LeadDirectory(store.sessions)


def test_empty_search_lists_every_lead_newest_first(directory: LeadDirectory) -> None:
    assert directory.search("") == ["lead-3", "lead-2", "lead-1", "lead-0"]


@pytest.mark.parametrize(("typed", "found"), [
    ("smith", ["lead-1", "lead-0"]),
    ("SMITH jennifer", ["lead-0"]),
    ("apex", ["lead-1"]),
    ("gmail.com", ["lead-2"]),
    ("100%", ["lead-2"]),
    ("_labs", ["lead-3"]),
    ("%", ["lead-2"]),  # a literal percent sign, not a wildcard
    ("nobody", []),
])
def test_search_matches_name_company_or_email(directory: LeadDirectory, typed: str,
                                              found: list[str]) -> None:
    assert directory.search(typed) == found


def test_search_reads_the_covering_index_not_the_rows(store: Store) -> None:
    with store.engine.connect() as connection:
        plan = connection.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM leads WHERE search_key LIKE '%a%' "
            "ORDER BY created_at DESC")).all()
    assert "COVERING INDEX ix_leads_newest_search" in " ".join(str(row) for row in plan)


def test_rows_come_back_in_the_order_asked(directory: LeadDirectory) -> None:
    rows = directory.rows(["lead-2", "missing", "lead-0"])
    assert [r.id for r in rows] == ["lead-2", "lead-0"]
    assert rows[1].name == "Jennifer Smith" and rows[1].owner == "Amelia Hughes"


def test_detail_shows_what_the_lead_already_told_us(directory: LeadDirectory) -> None:
    detail = directory.detail("lead-0")
    assert detail is not None
    assert detail.registration == {"Budget": "Approved"}
    assert detail.account is not None and detail.account.kind == "customer"
    assert [(a.kind, a.outcome, a.by) for a in detail.history] == [
        ("call", "voicemail", "Amelia Hughes")]
    assert directory.detail("missing") is None
