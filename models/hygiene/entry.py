"""Catching a duplicate as it is typed or imported: new people checked against every lead and
contact already in the store, before anything is written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.hygiene.duplicates import DEFAULT_THRESHOLD, LeadIdentity, find_duplicates
from models.store import Account, Contact, Lead


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


def _known(session: Session) -> list[LeadIdentity]:
    leads = session.execute(select(Lead.id, Lead.first_name, Lead.last_name, Lead.company,
                                   Lead.email, Lead.phone))
    contacts = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Account.name, Contact.email,
               Contact.phone).outerjoin(Account, Contact.account_id == Account.id))
    known = [LeadIdentity(*row) for row in leads]
    known += [LeadIdentity(i, first, last, company or "", email, phone, kind="contact")
              for i, first, last, company, email, phone in contacts]
    return known


def known_duplicates(session: Session, entries: Sequence[LeadIdentity],
                     threshold: float = DEFAULT_THRESHOLD) -> dict[str, list[KnownPerson]]:
    """Entry id → the leads and contacts it duplicates, the most certain first. Entries are
    also checked against each other (two rows of one import file for the same person)."""
    known = _known(session)
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
