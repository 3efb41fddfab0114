"""Labelled data for the hygiene benchmarks: accounts with look-alike neighbours that are
different companies, leads typed the many ways people type a company (typos, legal suffixes,
abbreviations, word order, no company e-mail), and duplicate leads, each with the truth."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from models.demo import vocabulary as v
from models.hygiene.duplicates import LeadIdentity
from models.hygiene.matching import AccountFacts, LeadCompany
from models.hygiene.standardise import company_key

KINDS = ("prospect",) * 85 + ("customer",) * 10 + ("partner",) * 4 + ("competitor",)
SUFFIXES = ("Inc.", "LLC", "Ltd", "GmbH", "Corp.", "Corporation", "S.A.", "Pty Ltd", "plc", "")
ABBREVIATIONS = (("International", "Intl"), ("Technologies", "Tech"), ("Manufacturing", "Mfg"),
                 ("Services", "Svcs"), ("Laboratories", "Labs"), (" and ", " & "))
NOUNS = tuple(sorted({noun for nouns in v.INDUSTRY_NOUNS.values() for noun in nouns}
                     | {"Manufacturing", "Laboratories", "Services", "Partners", "Foods",
                        "Capital", "Analytics", "Robotics", "Media", "Consulting"}))
QUALIFIERS = ("", "", "", "International", "Group", "Holdings", "Worldwide", "Europe")
SURNAMES = tuple(sorted({last for names in v.LAST_NAMES.values() for last in names}))


@dataclass(frozen=True)
class MatchingSet:
    accounts: list[AccountFacts]
    leads: list[LeadCompany]
    truth: dict[str, str | None]  # lead id → the account it belongs to (None: no account)
    variation: dict[str, str]  # lead id → how its company was typed


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def coined(self) -> str:
        syllables = self.rng.choices(v.SYLLABLES, k=self.rng.choice((2, 3, 3, 4)))
        return "".join(syllables).capitalize()

    def fresh(self) -> str:
        while True:
            roll = self.rng.random()
            if roll < 0.5:
                words = [self.coined(), self.rng.choice(NOUNS)]
            elif roll < 0.75:
                words = [self.rng.choice(v.BRAND_WORDS), self.coined(), self.rng.choice(NOUNS)]
            else:
                words = [self.rng.choice(SURNAMES), "and", self.rng.choice(SURNAMES),
                         self.rng.choice(NOUNS)]
            name = " ".join([*words, self.rng.choice(QUALIFIERS)]).strip()
            if self.claim(name):
                return name

    def look_alike(self, name: str) -> str | None:
        """Another company, one whole word apart ("Zantri Data" / "Zantri Cloud")."""
        words = name.split()
        for _ in range(10):
            changed = list(words)
            at = self.rng.randrange(len(words))
            changed[at] = self.rng.choice((*NOUNS, self.coined())) if at else self.coined()
            candidate = " ".join(changed)
            if self.claim(candidate):
                return candidate
        return None

    def claim(self, name: str) -> bool:
        key = company_key(name)
        if key in self.taken:
            return False
        self.taken.add(key)
        return True


def _typo(rng: random.Random, name: str) -> str:
    words = name.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6]
    if not long_words:
        return name
    at = rng.choice(long_words)
    word, pos = words[at], rng.randrange(1, len(words[at]) - 1)
    edit = rng.randrange(3)
    if edit == 0:
        word = word[:pos] + word[pos + 1:]
    elif edit == 1:
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2:]
    else:
        word = word[:pos] + rng.choice(string.ascii_lowercase) + word[pos + 1:]
    words[at] = word
    return " ".join(words)


def _typed(rng: random.Random, name: str) -> tuple[str, str]:
    """How a lead types the company: (text, the variation)."""
    base = next((name.removesuffix(f" {suffix}") for suffix in sorted(SUFFIXES, key=len)[::-1]
                 if suffix and name.endswith(f" {suffix}")), name)
    roll = rng.randrange(7)
    if roll == 0:
        return name, "exact"
    if roll == 1:
        return _typo(rng, base), "typo"
    if roll == 2:
        return f"{base} {rng.choice(SUFFIXES)}".strip(), "legal suffix"
    if roll == 3:
        for long, short in ABBREVIATIONS:
            if long in base:
                return base.replace(long, short), "abbreviation"
        return base.upper(), "case"
    if roll == 4:
        words = base.split()
        return " ".join([*words[1:], words[0]]) if len(words) > 1 else base, "word order"
    if roll == 5:
        return f"The {base}", "the"
    return base.replace(" ", "", 1), "run together"


def matching_set(accounts: int, leads: int, seed: int = 7) -> MatchingSet:
    rng = random.Random(seed)
    names = _Names(rng)
    facts: list[AccountFacts] = []
    outsiders: list[str] = []  # look-alikes of accounts that are not accounts themselves
    while len(facts) < accounts:
        name = names.fresh()
        family = [name]
        if rng.random() < 0.25 and (other := names.look_alike(name)):
            family.append(other)
        if rng.random() < 0.2 and (outsider := names.look_alike(name)):
            outsiders.append(outsider)
        for member in family[: accounts - len(facts)]:
            suffix = rng.choice(SUFFIXES)
            facts.append(AccountFacts(
                id=f"a{len(facts)}", name=f"{member} {suffix}".strip(),
                domain=f"{company_key(member).replace(' ', '')}{len(facts) % 9}.com",
                kind=rng.choice(KINDS), is_named=rng.random() < 0.03,
                employees=int(rng.lognormvariate(5.3, 1.6))))
    lead_rows: list[LeadCompany] = []
    truth: dict[str, str | None] = {}
    variation: dict[str, str] = {}
    for number in range(leads):
        lead_id = f"l{number}"
        free_mail = f"someone@{rng.choice(v.FREE_MAIL)}"
        if rng.random() < 0.15:
            company = rng.choice(outsiders) if rng.random() < 0.6 else names.fresh()
            email = free_mail if rng.random() < 0.5 else \
                f"x@{company_key(company).replace(' ', '')}-corp.com"
            lead_rows.append(LeadCompany(lead_id, company, email))
            truth[lead_id], variation[lead_id] = None, "not an account"
            continue
        account = rng.choice(facts)
        company, how = _typed(rng, account.name)
        if rng.random() < 0.5:
            email: str | None = free_mail if rng.random() < 0.8 else None
            how += ", no company e-mail"
        else:
            email = f"someone@{account.domain}"
        lead_rows.append(LeadCompany(lead_id, company, email))
        truth[lead_id], variation[lead_id] = account.id, how
    return MatchingSet(facts, lead_rows, truth, variation)


@dataclass(frozen=True)
class DuplicateSet:
    leads: list[LeadIdentity]
    groups: dict[str, int]  # lead id → the person it is; two leads of one person are a pair


def duplicate_set(count: int, share: float = 0.05, seed: int = 11) -> DuplicateSet:
    """``count`` leads, ``share`` of them a second lead for a person already in the set."""
    rng = random.Random(seed)
    names = _Names(rng)
    companies = [names.fresh() for _ in range(max(1, count // 8))]
    firsts = tuple(sorted({n for names_ in v.FIRST_NAMES.values() for n in names_}))
    people: list[LeadIdentity] = []
    groups: dict[str, int] = {}
    for number in range(count):
        lead_id = f"l{number}"
        if people and rng.random() < share:
            original = rng.choice(people)
            people.append(_again(rng, original, lead_id))
            groups[lead_id] = groups[original.id]
            continue
        company = rng.choice(companies)
        first, last = rng.choice(firsts), rng.choice(SURNAMES)
        domain = (rng.choice(v.FREE_MAIL) if rng.random() < 0.2
                  else f"{company_key(company).replace(' ', '')}.com")
        email = f"{first}.{last}{rng.randrange(10_000)}@{domain}".casefold().replace(" ", "")
        phone = f"+1{rng.randrange(200, 999)}555{rng.randrange(10_000):04d}" \
            if rng.random() < 0.9 else None
        people.append(LeadIdentity(lead_id, first, last, company, email, phone))
        groups[lead_id] = number
    return DuplicateSet(people, groups)


def _again(rng: random.Random, lead: LeadIdentity, lead_id: str) -> LeadIdentity:
    """The same person from another form: another address, a nickname, a typo, no phone."""
    first, last, company = lead.first_name, lead.last_name, lead.company
    email, phone = lead.email, lead.phone
    for _ in range(rng.choice((1, 2))):
        tweak = rng.randrange(6)
        if tweak == 0:
            email = (email or "").upper()
        elif tweak == 1:
            email = f"{last}.{rng.randrange(99)}@{rng.choice(v.FREE_MAIL)}".casefold()
        elif tweak == 2:
            phone = None
        elif tweak == 3:
            company = _typed(rng, company)[0]
        elif tweak == 4:
            last = _typo(rng, last) if len(last) >= 6 else last
        else:
            first = next((nick for nick, full in _NICKNAMES.items() if full == (first or "")
                          .casefold()), first)
    return LeadIdentity(lead_id, first, last, company, email, phone)


_NICKNAMES = {"Bob": "robert", "Bill": "william", "Mike": "michael", "Liz": "elizabeth",
              "Jen": "jennifer", "Chris": "christopher", "Tom": "thomas", "Dan": "daniel"}
