"""Finding duplicate leads: candidates from cheap blocking keys, scored with rapidfuzz, each
pair explained field by field."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import fuzz

from models.hygiene.standardise import company_key, email_domain, fold

NICKNAMES = {"bob": "robert", "rob": "robert", "bill": "william", "will": "william",
             "rick": "richard", "dick": "richard", "mike": "michael", "liz": "elizabeth",
             "beth": "elizabeth", "jen": "jennifer", "jenny": "jennifer", "chris": "christopher",
             "tom": "thomas", "dan": "daniel", "matt": "matthew", "joe": "joseph",
             "tony": "anthony", "kate": "katherine", "jim": "james", "alex": "alexander"}
MAX_BLOCK = 50
DEFAULT_THRESHOLD = 85.0


@dataclass(frozen=True)
class LeadIdentity:
    id: str
    first_name: str | None
    last_name: str
    company: str
    email: str | None
    phone: str | None
    # "lead", or "contact" for a person already known at an account: a lead can duplicate
    # a contact, but contacts among themselves are the account team's business.
    kind: str = "lead"


@dataclass(frozen=True)
class DuplicatePair:
    first: str
    second: str
    score: float
    # (field, how well it matched 0–100), the strongest evidence first.
    reasons: tuple[tuple[str, float], ...]


def soundex(word: str) -> str:
    """A phonetic key, so "Meyer" and "Maier" land in the same block."""
    word = fold(word).replace(" ", "")
    if not word:
        return ""
    codes = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"),
             **dict.fromkeys("dt", "3"), "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}
    key, previous = word[0], codes.get(word[0], "")
    for letter in word[1:]:
        code = codes.get(letter, "")
        if code and code != previous:
            key += code
        if letter not in "hw":
            previous = code
    return (key + "000")[:4]


def mailbox(email: str | None) -> str:
    """The address as a mail server reads it: case, dots and "+tags" in the name ignored."""
    if not email or "@" not in email:
        return ""
    local, domain = email.strip().casefold().rsplit("@", 1)
    return f"{local.split('+', 1)[0].replace('.', '').replace('_', '').replace('-', '')}@{domain}"


def _first(name: str | None) -> str:
    folded = fold(name or "")
    return NICKNAMES.get(folded, folded)


def _blocks(lead: LeadIdentity) -> Iterable[str]:
    if lead.email:
        yield "e:" + mailbox(lead.email)
    if lead.phone and lead.phone.startswith("+"):
        yield "p:" + lead.phone
    domain = email_domain(lead.email)
    if domain.domain and not domain.free_mail:
        yield f"d:{domain.domain}:{fold(lead.last_name)}"
    initial = _first(lead.first_name)[:1]
    yield f"n:{soundex(lead.last_name)}:{initial}:{company_key(lead.company)[:4]}"


def explain(a: LeadIdentity, b: LeadIdentity) -> tuple[float, tuple[tuple[str, float], ...]]:
    name = fuzz.token_sort_ratio(f"{_first(a.first_name)} {fold(a.last_name)}",
                                 f"{_first(b.first_name)} {fold(b.last_name)}")
    key_a, key_b = company_key(a.company), company_key(b.company)
    company = max(fuzz.ratio(key_a, key_b), fuzz.token_sort_ratio(key_a, key_b))
    email = 100.0 if a.email and b.email and mailbox(a.email) == mailbox(b.email) else 0.0
    phone = 100.0 if a.phone and a.phone == b.phone else 0.0
    domain_a, domain_b = email_domain(a.email), email_domain(b.email)
    # The same company address book counts too, but only for (almost) the same name.
    domain = 100.0 if domain_a.domain and domain_a == domain_b and not domain_a.free_mail \
        and name >= 90 else 0.0
    reasons = sorted((("name", name), ("company", company), ("e-mail", email),
                      ("phone", phone), ("e-mail domain", domain)), key=lambda r: -r[1])
    score = 0.45 * name + 0.35 * company + 20.0 * max(email, phone, 0.75 * domain) / 100
    surname = fuzz.ratio(fold(a.last_name), fold(b.last_name))
    if email and surname >= 80:
        score = max(score, 95.0)  # the same address and the same surname: the same person
    conflicts = _conflicts(a, b, email, phone)
    if surname < 80:
        conflicts.append("surname")  # a shared mailbox or phone, but two families
    if conflicts:
        # Two work addresses, or two phone numbers, say two people: a namesake colleague.
        score -= 15.0 * len(conflicts)
        reasons.extend((f"different {field}", 0.0) for field in conflicts)
    elif name >= 95 and company >= 90:
        score = max(score, 88.0)  # the same name at the same company, nothing against it
    return round(score, 1), tuple((field, round(value, 1)) for field, value in reasons
                                  if value > 0 or field.startswith("different "))


def _conflicts(a: LeadIdentity, b: LeadIdentity, email: float, phone: float) -> list[str]:
    found = []
    work_a, work_b = email_domain(a.email), email_domain(b.email)
    if not email and not phone and work_a.domain and work_b.domain \
            and not work_a.free_mail and not work_b.free_mail:
        found.append("work e-mail")
    if not phone and not email and a.phone and b.phone:
        found.append("phone")
    return found


def find_duplicates(leads: Sequence[LeadIdentity], threshold: float = DEFAULT_THRESHOLD,
                    involving: Collection[str] | None = None) -> list[DuplicatePair]:
    """Pairs scoring at least ``threshold``, the most certain first; with ``involving``, only
    the pairs with at least one of those ids (new rows checked against what is there)."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, lead in enumerate(leads):
        for key in _blocks(lead):
            blocks[key].append(index)
    candidates: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK:
            candidates.update(combinations(members, 2))
    pairs = []
    for i, j in candidates:
        if leads[i].kind == "contact" and leads[j].kind == "contact":
            continue
        if involving is not None and leads[i].id not in involving \
                and leads[j].id not in involving:
            continue
        score, reasons = explain(leads[i], leads[j])
        if score >= threshold:
            first, second = sorted((leads[i].id, leads[j].id))
            pairs.append(DuplicatePair(first, second, score, reasons))
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))
