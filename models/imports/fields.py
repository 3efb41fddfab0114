"""Checking and standardising what was typed or imported for one new lead, with messages a rep
can act on. Shared by the New lead form and the CSV import."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers
from sqlalchemy import String

from models import bounds
from models.hygiene.standardise import TitleReading, fold, industry, phone_e164, read_title
from models.store import Lead
from resources import load_json

LABELS = {"first_name": "First name", "last_name": "Last name", "company": "Company",
          "email": "E-mail", "phone": "Phone", "title": "Title", "industry": "Industry",
          "employees": "Employees", "city": "City", "state": "State",
          "postal_code": "Postal code", "country": "Country", "source": "Source",
          "campaign": "Campaign", "utm_campaign": "Campaign (utm_campaign)"}
CAMPAIGN_LENGTH = 120  # a campaign's name in the store
# The widest value each text column takes, read from the leads table (the country is checked
# as a code of its own).
MAX_LENGTH: dict[str, int] = {
    name: column.type.length for name, column in Lead.__table__.columns.items()
    if name in LABELS and name != "country" and isinstance(column.type, String)
    and column.type.length}
_EMAIL = re.compile(r"[^@\s,;<>()\[\]\"']+@[^@\s,;<>()\[\]\"']+\.[^@\s,;<>()\[\]\"'.]{2,}")
_WHOLE_NUMBER = re.compile(r"\d{1,3}(?:([,. '])\d{3})(?:\1\d{3})*|\d+")
_NAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "le", "la", "del", "ten"}
_PHONE_CHARACTERS = re.compile(r"[0-9+()./ \-]+(?:\s*(?:x|ext\.?)\s*[0-9]+)?", re.IGNORECASE)


@dataclass(frozen=True)
class PersonEntry:
    """A new lead's values, checked and standardised, ready to be written."""

    first_name: str | None
    last_name: str
    company: str
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    title_level: str | None = None
    job_function: str | None = None
    industry: str | None = None
    employees: int | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    source: str | None = None
    # The campaign named (matched to a campaign when the lead is written).
    campaign: str | None = None


@cache
def _country_names() -> dict[str, str]:
    table: dict[str, object] = load_json("imports/countries.json")
    return {fold(str(name)): code for code, names in table.items()
            if not code.startswith("_") and isinstance(names, list) for name in names}


def country_code(value: str) -> str | None:
    """The ISO 3166 two-letter code for a code or a common country name, else None."""
    text = value.strip()
    if len(text) == 2 and text.upper() in phonenumbers.SUPPORTED_REGIONS:
        return text.upper()
    return _country_names().get(fold(text))


@lru_cache(maxsize=4096)
def _title(title: str) -> TitleReading:
    # Imports repeat the same few hundred titles; reading one costs ~0.15 ms.
    return read_title(title)


@lru_cache(maxsize=1024)
def _industry(value: str) -> str:
    return industry(value) or value


def split_full_name(full: str) -> tuple[str | None, str]:
    """"Jane van Dyke" → ("Jane", "van Dyke"); "Doe, Jane" → ("Jane", "Doe")."""
    if "," in full:
        last, _, first = full.partition(",")
        return (first.strip() or None), last.strip()
    words = full.split()
    if len(words) < 2:
        return None, full.strip()
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].casefold() in _NAME_PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _text(values: Mapping[str, str], field: str) -> str | None:
    value = " ".join(values.get(field, "").split())
    return value or None


def _phone(raw: str, country: str | None, problems: dict[str, str]) -> str | None:
    standard = phone_e164(raw, country)
    if standard:
        return standard
    digits = sum(char.isdigit() for char in raw)
    if digits >= 6 and _PHONE_CHARACTERS.fullmatch(raw.strip()):
        # A number without its country, or an extension: kept as typed, and the clean-up
        # block lists it for a fix.
        return raw.strip()
    problems["phone"] = f"‘{raw}’ is not a phone number."
    return None


def _employees(raw: str, problems: dict[str, str]) -> int | None:
    text = raw.strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        problems["employees"] = f"‘{raw}’ is not a whole number of employees (such as 250)."
        return None
    try:
        # As text: int() of a 5,000-digit string is refused by Python itself.
        return bounds.whole("employees", re.sub(r"\D", "", text))
    except bounds.OutOfBounds as error:
        problems["employees"] = str(error)
        return None


def _check_lengths(values: dict[str, str | None], problems: dict[str, str]) -> None:
    for field, limit in MAX_LENGTH.items():
        value = values.get(field)
        if value and len(value) > limit and field not in problems:
            problems[field] = (f"{LABELS[field]} is {len(value)} characters long; at most "
                               f"{limit} fit.")


def check_person(values: Mapping[str, str]) -> tuple[PersonEntry | None, dict[str, str]]:
    """The entry for what was typed (field → text), or the problems, field → message.

    A full name (``full_name``) fills the first and last name when those are empty.
    """
    problems: dict[str, str] = {}
    text = {field: _text(values, field) for field in (*LABELS, "full_name")}
    if text["full_name"] and not text["last_name"]:
        first, last = split_full_name(text["full_name"])
        text["first_name"] = text["first_name"] or first
        text["last_name"] = last or None
    for field in ("last_name", "company"):
        if not text[field]:
            problems[field] = f"{LABELS[field]} is missing: every lead needs one."
    email = text["email"]
    if email and not _EMAIL.fullmatch(email):
        problems["email"] = f"‘{email}’ is not an e-mail address (name@company.com)."
    country = None
    if text["country"]:
        country = country_code(text["country"])
        if country is None:
            problems["country"] = (f"‘{text['country']}’ is not a country RepDesk knows: use "
                                   "the two-letter code, such as DE, US or GB.")
    phone = _phone(text["phone"], country, problems) if text["phone"] else None
    employees = _employees(text["employees"], problems) if text["employees"] else None
    _check_lengths(text, problems)
    campaign_field = "campaign" if text["campaign"] else "utm_campaign"
    campaign = text[campaign_field]
    if campaign and len(campaign) > CAMPAIGN_LENGTH:
        problems[campaign_field] = (f"{LABELS[campaign_field]} is {len(campaign)} characters "
                                    f"long; a campaign name has at most {CAMPAIGN_LENGTH}.")
    if problems:
        return None, problems
    reading = _title(text["title"]) if text["title"] else None
    return PersonEntry(
        first_name=text["first_name"], last_name=text["last_name"] or "",
        company=text["company"] or "", email=email, phone=phone, title=text["title"],
        title_level=reading.level if reading else None,
        job_function=reading.function if reading else None,
        industry=_industry(text["industry"]) if text["industry"] else None,
        employees=employees, city=text["city"], state=text["state"],
        postal_code=text["postal_code"], country=country, source=text["source"],
        campaign=campaign), {}
