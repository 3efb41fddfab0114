"""Writing new leads, typed or imported: ordinary ORM rows (so each one reaches the CRM through
the outbox), born MCL or MQL by marketing's rule with their stage history, owned by the rep who
entered them, with their persona, and then placed in the owner's cadence like every other new
lead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from models.funnel import record_births
from models.hygiene.apply import persona_rules
from models.imports.campaigns import UNMATCHED_KEY, campaign_index, match_campaign
from models.imports.fields import PersonEntry
from models.personas import persona_for
from models.store import Lead, User, new_id
from models.touches import refresh_cadences

_COLUMNS = tuple(field.name for field in fields(PersonEntry) if field.name != "campaign")


def write_leads(sessions: sessionmaker[Session], entries: Sequence[PersonEntry], owner_id: str,
                source: str, now: datetime, channel: str = "import") -> list[str]:
    """Write all ``entries`` in one transaction, or none; returns the new leads' ids.

    The rows are built before the write transaction starts, so SQLite's write lock is held
    only while they are flushed and committed.

    ``channel``: how they arrived ("typed", "import"), which marketing's MQL rule may read.

    Raises:
        LookupError: no user has ``owner_id``.
    """
    with sessions() as session:
        if session.get(User, owner_id) is None:
            raise LookupError(f"No rep with the id {owner_id} in this profile.")
        rules = persona_rules(session)
        campaigns = campaign_index(session)
    leads = []
    for entry in entries:
        # A shallow copy: dataclasses.asdict's deep copy costs more than building the row.
        values = {name: getattr(entry, name) for name in _COLUMNS}
        values["source"] = entry.source or source
        lead = Lead(**values, id=new_id(), owner_id=owner_id, created_at=now,
                    persona=persona_for(entry.title_level, entry.job_function, rules))
        if entry.campaign:
            lead.campaign_id = match_campaign(campaigns, entry.campaign)
            if lead.campaign_id is None:
                lead.registration = {UNMATCHED_KEY: entry.campaign}
        leads.append(lead)
    with sessions.begin() as session:
        session.add_all(leads)
        record_births(session, leads, channel, owner_id)
    refresh_cadences(sessions)
    return [lead.id for lead in leads]
