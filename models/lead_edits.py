"""Correcting a lead's contact details by hand: checked as a new lead's are, saved in one
transaction, and sent to the CRM with the next sync (the store's outbox records the change)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker

from models.imports.fields import LABELS, check_person
from models.store import Lead

# What a rep corrects most: the person and how to reach them.
EDITABLE = ("first_name", "last_name", "company", "title", "email", "phone")
EDITABLE_LABELS = {name: LABELS[name] for name in EDITABLE}


def contact_details(sessions: sessionmaker[Session], lead_id: str) -> dict[str, str] | None:
    """The editable fields as text (blank for none), or None when the lead is gone."""
    with sessions() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            return None
        return {name: str(getattr(lead, name) or "") for name in EDITABLE}


def save_contact_details(sessions: sessionmaker[Session], lead_id: str,
                         values: Mapping[str, str]) -> dict[str, str]:
    """Save what was typed; returns the problems (field → message), empty when saved.

    Raises:
        LookupError: the lead no longer exists.
    """
    with sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise LookupError("That lead no longer exists.")
        typed = {k: values.get(k, "") for k in EDITABLE}
        # The phone number is read in the lead's own country, as on entry (a country the
        # checks do not know is not the rep's problem here).
        entry, problems = check_person({**typed, "country": lead.country or ""})
        if entry is None and not problems.keys() & set(EDITABLE):
            entry, problems = check_person(typed)
        if entry is None:
            return {k: v for k, v in problems.items() if k in EDITABLE}
        for name in EDITABLE:
            before = getattr(lead, name)
            # Only what the rep changed: a field left as it was keeps its stored form even
            # where the checks would write it another way (a phone number in E.164).
            if typed[name] != str(before or "") and getattr(entry, name) != before:
                setattr(lead, name, getattr(entry, name))
    return {}
