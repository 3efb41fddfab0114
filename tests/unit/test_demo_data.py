"""Demo data looks like a real team's CRM, and is the same for the same seed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import phonenumbers
from sqlalchemy import func, select

from models.demo.generator import generate
from models.demo.load import needs_demo_data
from models.store import Account, Activity, Lead, OutboxEntry
from models.store.open import Store, open_store
from tests.conftest import FIXED_NOW


def test_same_seed_gives_the_same_data_and_another_seed_does_not() -> None:
    first = generate(leads=300, accounts=150, seed=5, now=FIXED_NOW)
    again = generate(leads=300, accounts=150, seed=5, now=FIXED_NOW)
    other = generate(leads=300, accounts=150, seed=6, now=FIXED_NOW)
    assert first.tables == again.tables
    assert first.tables["leads"] != other.tables["leads"]


def test_demo_store_has_every_kind_of_account(demo_store: Store) -> None:
    with demo_store.sessions() as session:
        kinds = Counter(session.scalars(select(Account.kind)))
        named = session.scalar(select(func.count()).where(Account.is_named.is_(True)))
    assert set(kinds) == {"prospect", "customer", "partner", "competitor"}
    assert kinds["prospect"] > kinds["customer"] > kinds["competitor"]
    assert named and named > 0


def test_accounts_include_near_duplicate_names_and_legal_suffixes(demo_store: Store) -> None:
    with demo_store.sessions() as session:
        names = list(session.scalars(select(Account.name)))
    suffixes = re.compile(r"\b(Inc\.?|LLC|GmbH|Ltd\.?|Limited|S\.A\.|Pty Ltd|K\.K\.|SAS|plc)$")
    assert sum(bool(suffixes.search(n)) for n in names) > len(names) / 3
    assert any(n.startswith("The ") for n in names)
    assert any(n.isupper() and len(n) > 6 for n in names)


def test_leads_carry_titles_typed_every_which_way(demo_store: Store) -> None:
    with demo_store.sessions() as session:
        titles = set(session.scalars(select(Lead.title)))
        personas = set(session.scalars(select(Lead.persona)))
        unstandardised = session.scalar(select(func.count()).where(Lead.title_level.is_(None)))
    assert {"VP Sales", "Vice President of Sales"} & titles
    assert any("Mgr" in t or "Dir." in t or "Sr." in t for t in titles)
    assert any(t in titles for t in ("Geschäftsführer", "Directeur Commercial", "Jefe de Ventas"))
    assert {"exec-buyer", "tech-buyer", "line-manager", "practitioner"} <= personas
    assert unstandardised and unstandardised > 0  # left for the clean-up block


def test_phone_numbers_span_countries_and_include_bad_ones(demo_store: Store) -> None:
    with demo_store.sessions() as session:
        rows = session.execute(select(Lead.phone, Lead.country, Lead.timezone)).all()
    valid = [p for p, _, _ in rows
             if p and p.startswith("+") and phonenumbers.is_valid_number(phonenumbers.parse(p))]
    assert len(valid) > 0.9 * len(rows)
    assert len({c for _, c, _ in rows}) >= 8
    assert len({tz for _, _, tz in rows}) >= 8
    assert any(p is None for p, _, _ in rows)
    assert any(p and not p.startswith("+") for p, _, _ in rows)


def test_duplicate_leads_exist(demo_store: Store) -> None:
    with demo_store.sessions() as session:
        emails = Counter(e.casefold() for e in session.scalars(select(Lead.email)) if e)
    assert any(count > 1 for count in emails.values())


def test_leads_have_history_trials_and_campaigns(demo_store: Store) -> None:
    with demo_store.sessions() as session:
        touched = session.scalar(select(func.count()).where(Lead.first_touch_at.is_not(None)))
        trials = session.scalar(select(func.count()).where(Lead.trial_expires_at.is_not(None)))
        no_campaign = session.scalar(select(func.count()).where(Lead.campaign_id.is_(None)))
        activities = session.scalar(select(func.count()).select_from(Activity))
        new_today = session.scalar(select(func.count()).where(Lead.first_touch_at.is_(None)))
    assert touched and trials and activities and new_today
    assert activities > touched
    assert no_campaign == 0


def test_demo_data_is_not_queued_for_the_crm(demo_store: Store) -> None:
    with demo_store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


def test_only_an_empty_profile_without_crm_gets_demo_data(tmp_path: Path,
                                                          demo_store: Store) -> None:
    empty = open_store(tmp_path / "empty")
    assert needs_demo_data(empty.sessions)
    empty.close()
    assert not needs_demo_data(demo_store.sessions)
