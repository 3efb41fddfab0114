"""Standardising what people type: titles into level and job function, company names, industry,
size band, phone numbers and e-mail domains. The mapping tables are data in
resources/hygiene/."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import phonenumbers

from resources import load_json

_WORD = re.compile(r"[a-z0-9]+")


@cache
def _titles() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("hygiene/titles.json")
    return loaded


@cache
def _companies() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("hygiene/companies.json")
    return loaded


def fold(text: str) -> str:
    """Lower case, accents off, punctuation to spaces: the form every comparison uses."""
    plain = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    return " ".join(_WORD.findall(plain.replace("&", " and ")))


def _replace_phrases(text: str, table: dict[str, str]) -> str:
    # Longest phrases first, whole words only.
    for phrase in sorted(table, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(fold(phrase))}\b", table[phrase], text)
    return text


@dataclass(frozen=True)
class TitleReading:
    title: str
    level: str
    function: str


def read_title(title: str) -> TitleReading:
    """"Sr. Mgr Marketing" → manager / marketing; "Geschäftsführer" → C-level / executive."""
    tables = _titles()
    text = fold(title)
    text = _replace_phrases(text, tables["translations"])
    text = " ".join(tables["misspellings"].get(word, word) for word in text.split())
    text = _replace_phrases(text, tables["expand"])
    words = f" {text} "
    level = next((name for name, markers in tables["levels"]
                  if any(f" {marker} " in words for marker in markers)),
                 tables["default_level"])
    function = next((name for name, markers in tables["functions"]
                     if any(f" {marker}" in words for marker in markers)),
                    tables["default_function"])
    if level == "C-level" and function == "other":
        function = "executive"
    return TitleReading(text, level, function)


@cache
def _legal_suffixes() -> tuple[str, ...]:
    return tuple(sorted(_companies()["legal_suffixes"], key=len, reverse=True))


@cache
def _legal_tail() -> re.Pattern[str]:
    """One or more legal forms at the end of a folded name, each after a space: one search
    where a loop over every form would call ``endswith`` dozens of times a name."""
    forms = "|".join(re.escape(form) for form in _legal_suffixes())
    return re.compile(rf"(?: (?:{forms}))+$")


@cache
def designators() -> frozenset[str]:
    """Words such as "group" or "holding" that people leave out of a company's name."""
    return frozenset(_companies()["designators"])


def company_key(name: str) -> str:
    """The company name as matching compares it: no legal suffix, no "The", no "and" or "&",
    abbreviations written out ("Intl" → "international")."""
    text = _join_initials(fold(name))
    if text.startswith("the "):
        text = text[4:]
    text = _legal_tail().sub("", text)
    words = _companies()["abbreviations"]
    return " ".join(words.get(word, word) for word in text.split() if word != "and")


def _join_initials(text: str) -> str:
    """"s a" → "sa", "k k" → "kk": dotted legal forms read as one word; and one letter
    after a short word joins it ("int l" of "Int'l" → "intl"). Two or more single letters
    make a word of their own, so "Bar S.A." stays "bar sa"."""
    words: list[str] = []
    run: list[str] = []  # single letters in a row

    def close_run() -> None:
        if len(run) == 1 and words and len(words[-1]) <= 3 and words[-1].isalpha() \
                and words[-1] not in ("and", "the"):
            words[-1] += run[0]
        elif run:
            words.append("".join(run))
        run.clear()

    for word in text.split():
        if len(word) == 1 and word.isalpha():
            run.append(word)
        else:
            close_run()
            words.append(word)
    close_run()
    return " ".join(words)


def industry(value: str | None) -> str | None:
    """The canonical industry for what was typed, or None when it is not in the table."""
    if not value:
        return None
    table: dict[str, str] = _companies()["industries"]
    folded = {fold(key): canonical for key, canonical in table.items()}
    return folded.get(fold(value))


def size_band(employees: int | None) -> str | None:
    if employees is None or employees < 0:
        return None
    for limit, band in ((50, "1-49"), (200, "50-199"), (1000, "200-999"),
                        (5000, "1,000-4,999")):
        if employees < limit:
            return band
    return "5,000+"


def phone_e164(raw: str | None, country: str | None) -> str | None:
    """The number in E.164, or None when it is not a valid number (to fix in clean-up)."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, None if raw.strip().startswith("+") else country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@dataclass(frozen=True)
class EmailDomain:
    domain: str | None
    free_mail: bool


def email_domain(email: str | None) -> EmailDomain:
    if not email or "@" not in email:
        return EmailDomain(None, False)
    domain = email.rsplit("@", 1)[1].strip().casefold().rstrip(".")
    return EmailDomain(domain or None, domain in _companies()["free_mail"])


# One legal form, however it is written.
_SAME_FORM = {"incorporated": "inc", "limited": "ltd", "corporation": "corp"}


@lru_cache(maxsize=16_384)  # asked only of names read as the lead's
def legal_form(name: str) -> str | None:
    """The legal form ``company_key`` leaves out ("llc" of "Acme Analytics LLC",
    "gmbh co kg"), written one way; None when the name has none."""
    text = _join_initials(fold(name))
    found: list[str] = []
    changed = True
    while changed:
        changed = False
        for suffix in _legal_suffixes():
            if text.endswith(f" {suffix}"):
                text = text[: -len(suffix) - 1].rstrip()
                found.insert(0, _SAME_FORM.get(suffix, suffix))
                changed = True
    return " ".join(found) or None
