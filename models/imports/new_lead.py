"""Entering one lead by hand: checked like an imported row, and compared with the people
already in the store before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from models.hygiene.duplicates import LeadIdentity
from models.hygiene.entry import KnownPerson, known_duplicates
from models.imports.campaigns import campaign_index, match_campaign
from models.imports.creating import write_leads
from models.imports.fields import check_person

MANUAL_SOURCE = "Manual entry"
_NEW = "new"


@dataclass(frozen=True)
class NewLeadResult:
    """Either the new lead's id, or why it was not created: problems (field → message) or
    the people it looks like."""

    lead_id: str | None = None
    problems: dict[str, str] = field(default_factory=dict)
    known: tuple[KnownPerson, ...] = ()


def create_lead(sessions: sessionmaker[Session], values: Mapping[str, str], owner_id: str,
                now: datetime, create_anyway: bool = False,
                source: str = MANUAL_SOURCE) -> NewLeadResult:
    """Create the lead typed as ``values`` (field → text) for ``owner_id``, placed in the
    owner's queue; unless ``create_anyway``, not when the person looks known already."""
    entry, problems = check_person(values)
    if entry is None:
        return NewLeadResult(problems=problems)
    if entry.campaign:
        # Typed by hand, a name is picked from the suggestions: an unknown one is a typo.
        with sessions() as session:
            if match_campaign(campaign_index(session), entry.campaign) is None:
                return NewLeadResult(problems={"campaign": (
                    f"No campaign is named ‘{entry.campaign}’: pick one of the suggestions, "
                    "or leave it empty.")})
    if not create_anyway:
        identity = LeadIdentity(_NEW, entry.first_name, entry.last_name, entry.company,
                                entry.email, entry.phone)
        with sessions() as session:
            known = known_duplicates(session, [identity]).get(_NEW)
        if known:
            return NewLeadResult(known=tuple(known))
    [lead_id] = write_leads(sessions, [entry], owner_id, source, now, channel="typed")
    return NewLeadResult(lead_id=lead_id)
