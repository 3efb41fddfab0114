"""Which campaign a typed or imported name means: matched on the name folded (case, accents
and punctuation ignored, so a ``utm_campaign`` slug "spring-webinar-2026" finds "Spring
Webinar 2026"), or on the campaign's CRM id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.hygiene.standardise import fold
from models.store import Campaign

# Where a name no campaign matches is kept on the imported lead, so nothing is lost.
UNMATCHED_KEY = "Campaign (not matched)"


def campaign_index(session: Session) -> dict[str, str]:
    """Folded name (and CRM id) → the campaign's id."""
    found: dict[str, str] = {}
    for campaign_id, name, crm_id in session.execute(
            select(Campaign.id, Campaign.name, Campaign.crm_id).order_by(Campaign.name)):
        found.setdefault(fold(name), campaign_id)
        if crm_id:
            found.setdefault(crm_id.strip().lower(), campaign_id)
    return found


def match_campaign(index: dict[str, str], name: str) -> str | None:
    return index.get(fold(name)) or index.get(name.strip().lower())


def campaign_names(sessions: sessionmaker[Session]) -> list[str]:
    """Every campaign's name, for the New lead form's suggestions."""
    with sessions() as session:
        return list(session.scalars(select(Campaign.name).order_by(Campaign.name)))


def unknown_campaign_message(name: str) -> str:
    return (f"no campaign is named ‘{name}’: the lead is imported without one and the name is "
            f"kept with it ({UNMATCHED_KEY}); create the campaign in the CRM to count it.")
