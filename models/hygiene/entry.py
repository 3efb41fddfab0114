"""Catching a duplicate as it is typed or imported: new people checked against every lead and
contact already in the store, before anything is written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from models.hygiene.duplicates import DEFAULT_THRESHOLD, LeadIdentity, find_duplicates
from models.hygiene.standardise import email_domain, phone_e164
from models.store import Account, Contact, Lead
from models.store.people import folded, mail_domain


@dataclass(frozen=True)
class KnownPerson:
    """Someone already in the store that a new entry looks like, and why."""

    id: str
    kind: str  # "lead" or "contact"
    name: str
    company: str
    score: float
    reasons: tuple[tuple[str, float], ...]

    @property
    def why(self) -> str:
        return ", ".join(f"{field} {value:.0f}" for field, value in self.reasons[:3])


# Up to this many entries (a typed lead, a small file) only the people who could match are
# read: the same e-mail, phone or surname. A big import reads everyone once instead.
NARROW_UP_TO = 500


def _could_match(model: Any, company: Any, entries: Sequence[LeadIdentity]) -> Any:
    emails = {e.email.strip().casefold() for e in entries if e.email}
    # As typed and in E.164 (how the store keeps a standardised number).
    phones = {e.phone for e in entries if e.phone} | {
        number for e in entries if (number := phone_e164(e.phone, e.country))}
    surnames = {e.last_name.strip().casefold() for e in entries if e.last_name}
    # A typo in the surname still meets the same first name at the same company.
    first_at = {(e.first_name.strip().casefold(), e.company.strip().casefold())
                for e in entries if e.first_name and e.company and e.company.strip()}
    domains = {d.domain for e in entries if (d := email_domain(e.email)).domain
               and not d.free_mail}
    # Each term is one of the leads' indexes (models.store.people), so SQLite reads only
    # the rows each finds; a term with nothing to look for is left out.
    terms = []
    if emails:
        terms.append(folded(model.email).in_(emails))
    if phones:
        terms.append(model.phone.in_(phones))
    if surnames:
        terms.append(folded(model.last_name).in_(surnames))
    if domains:
        terms.append(mail_domain(model.email).in_(sorted(domains)[:50]))
    terms += [and_(folded(company) == name, folded(model.first_name) == first)
              for first, name in sorted(first_at)[:50]]
    return or_(*terms) if terms else false()


def _known(session: Session, entries: Sequence[LeadIdentity]) -> list[LeadIdentity]:
    leads = select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.email,
                   Lead.phone, Lead.title, Lead.city, Lead.postal_code, Lead.country)
    # A contact's address is its account's.
    contacts = select(Contact.id, Contact.first_name, Contact.last_name, Account.name,
                      Contact.email, Contact.phone, Contact.title, Account.street,
                      Account.city, Account.postal_code, Account.country).outerjoin(
        Account, Contact.account_id == Account.id)
    if len(entries) <= NARROW_UP_TO:
        leads = leads.where(_could_match(Lead, Lead.company, entries))
        contacts = contacts.where(_could_match(Contact, Account.name, entries))
    known = [LeadIdentity(i, first, last, company, email, phone, title=title, city=city,
                          postal_code=postal, country=country)
             for i, first, last, company, email, phone, title, city, postal, country
             in session.execute(leads)]
    known += [LeadIdentity(i, first, last, company or "", email, phone, kind="contact",
                           title=title, street=street, city=city, postal_code=postal,
                           country=country)
              for i, first, last, company, email, phone, title, street, city, postal, country
              in session.execute(contacts)]
    return known


def known_duplicates(session: Session, entries: Sequence[LeadIdentity],
                     threshold: float = DEFAULT_THRESHOLD) -> dict[str, list[KnownPerson]]:
    """Entry id → the leads and contacts it duplicates, the most certain first. Entries are
    also checked against each other (two rows of one import file for the same person)."""
    known = _known(session, entries)
    by_id = {person.id: person for person in [*known, *entries]}
    new = {entry.id: order for order, entry in enumerate(entries)}
    found: dict[str, list[KnownPerson]] = defaultdict(list)
    for pair in find_duplicates([*known, *entries], threshold, involving=new):
        for mine, theirs in ((pair.first, pair.second), (pair.second, pair.first)):
            if mine in new and (theirs not in new or new[theirs] < new[mine]):
                other = by_id[theirs]
                name = f"{other.first_name or ''} {other.last_name}".strip()
                found[mine].append(KnownPerson(theirs, other.kind, name, other.company,
                                               pair.score, pair.reasons))
    return dict(found)
