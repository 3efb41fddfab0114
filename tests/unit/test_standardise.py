"""Standardising what people type, table by table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models.hygiene.apply import preview, standardise_lead
from models.hygiene.standardise import (
    company_key,
    email_domain,
    industry,
    phone_e164,
    read_title,
    size_band,
)
from models.store import Lead, OutboxEntry
from models.store.open import Store


@pytest.mark.parametrize(("title", "level", "function"), [
    ("VP Sales", "VP", "sales"),
    ("Vice Pres. IT", "VP", "IT"),
    ("SVP Engineering", "VP", "engineering"),
    ("CTO", "C-level", "engineering"),
    ("Chief Revenue Officer", "C-level", "sales"),
    ("Founder & CEO", "C-level", "executive"),
    ("Managing Director", "C-level", "executive"),
    ("Dir. IT", "director", "IT"),
    ("Directer of Operations", "director", "operations"),
    ("Head of HR", "director", "HR"),
    ("Sr. Mgr Marketing", "manager", "marketing"),
    ("Marketing Manger", "manager", "marketing"),
    ("Mgr, Finance", "manager", "finance"),
    ("Team Lead, DevOps", "manager", "engineering"),
    ("Sys Admin", "individual contributor", "IT"),
    ("Software Engineer", "individual contributor", "engineering"),
    ("Accountant", "individual contributor", "finance"),
    ("Data Analyst", "individual contributor", "other"),
    ("PhD Candidate", "student", "other"),
    ("Intern", "student", "other"),
    ("Geschäftsführer", "C-level", "executive"),
    ("Directeur Commercial", "director", "sales"),
    ("Leiter Vertrieb", "director", "sales"),
    ("Jefe de Ventas", "manager", "sales"),
    ("Ingénieur logiciel", "individual contributor", "engineering"),
    ("Entwickler", "individual contributor", "engineering"),
])
def test_titles_read_as_level_and_function(title: str, level: str, function: str) -> None:
    reading = read_title(title)
    assert (reading.level, reading.function) == (level, function)


@pytest.mark.parametrize(("typed", "key"), [
    ("The Acme Company, Inc.", "acme"),
    ("ACME CORPORATION", "acme"),
    ("Acme Corp.", "acme"),
    ("Acme & Sons GmbH & Co. KG", "acme sons"),
    ("Acme and Sons", "acme sons"),
    ("Bright Shipping Pty. Ltd.", "bright shipping"),
    ("Northwind Traders S.A.", "northwind traders"),
    ("Orion K.K.", "orion"),
    ("Société Générale", "societe generale"),
    ("Blue River Intl. Mfg", "blue river international manufacturing"),
    ("Int'l Business Svcs", "international business services"),
    # A short name keeps its dotted legal form to itself.
    ("Bar S.A.", "bar"),
    ("Zeta K.K.", "zeta"),
    ("Acme GmbH & Co. K.G.", "acme"),
])
def test_company_names_normalise(typed: str, key: str) -> None:
    assert company_key(typed) == key


def test_look_alike_companies_stay_apart() -> None:
    assert company_key("Blue Partners") != company_key("Blue Partners Holdings")


@pytest.mark.parametrize(("typed", "canonical"), [
    ("software", "Technology"), ("Health Care", "Healthcare"),
    ("Food and Beverage", "Food & Beverage"), ("banking", "Financial Services"),
    ("basket weaving", None), (None, None),
])
def test_industries_map_to_one_name(typed: str | None, canonical: str | None) -> None:
    assert industry(typed) == canonical


@pytest.mark.parametrize(("employees", "band"), [
    (1, "1-49"), (49, "1-49"), (50, "50-199"), (999, "200-999"), (1000, "1,000-4,999"),
    (5000, "5,000+"), (None, None), (-3, None)])
def test_size_bands(employees: int | None, band: str | None) -> None:
    assert size_band(employees) == band


@pytest.mark.parametrize(("raw", "country", "e164"), [
    ("+44 20 7946 0000", None, "+442079460000"),
    ("(415) 555-2671", "US", "+14155552671"),
    ("030 1234567", "DE", "+49301234567"),
    ("555-CALL-NOW", "US", None),
    ("12345", "US", None),
    ("", "US", None),
])
def test_phones_to_e164(raw: str, country: str | None, e164: str | None) -> None:
    assert phone_e164(raw, country) == e164


def test_email_domains_and_free_mail() -> None:
    assert email_domain("Yuki@Orion.CO.JP") == email_domain("yuki@orion.co.jp")
    assert email_domain("yuki@orion.co.jp").domain == "orion.co.jp"
    assert not email_domain("yuki@orion.co.jp").free_mail
    assert email_domain("bob@gmail.com").free_mail
    assert email_domain("no address").domain is None


def test_every_demo_title_reads_as_the_demo_data_says() -> None:
    """The demo generator knows the truth behind each messy title it writes."""
    from models.demo.vocabulary import TITLES

    wrong = [(title, level, function) for title, level, function in TITLES
             if (read_title(title).level, read_title(title).function) != (level, function)]
    assert wrong == []


def test_standardising_a_lead_is_an_edit_for_the_crm(store: Store) -> None:
    with store.sessions.begin() as session:
        session.add(Lead(id="l1", last_name="Weber", company="Cedar", title="Dir. IT",
                         phone="030 1234567", country="DE", industry="software",
                         created_at=datetime.now(UTC)))
    assert preview(store.sessions, "l1") == {
        "title_level": "director", "job_function": "IT", "persona": "tech-buyer",
        "phone": "+49301234567", "industry": "Technology"}
    changed = standardise_lead(store.sessions, "l1")
    assert changed["persona"] == "tech-buyer"
    assert preview(store.sessions, "l1") == {}  # nothing left to fix
    with store.sessions() as session:
        update = session.scalars(select(OutboxEntry).where(OutboxEntry.op == "update")).one()
    # Title level, job function and persona are RepDesk's own: only what the CRM has a field
    # for waits to be sent.
    assert set(update.fields) == {"phone", "industry"}
