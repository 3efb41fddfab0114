"""Applying standardisation to a lead: what would change, and the change itself (an ordinary
edit, so it reaches the CRM through the outbox)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.hygiene.standardise import industry, phone_e164, read_title
from models.personas import PersonaRule, persona_for
from models.store import Lead, Persona


def persona_rules(session: Session) -> list[PersonaRule]:
    """The team's personas as the persona finder reads them."""
    return [PersonaRule(p.key, p.priority, frozenset(p.title_levels), frozenset(p.job_functions))
            for p in session.scalars(select(Persona))]


def suggestions(lead: Lead, rules: list[PersonaRule]) -> dict[str, Any]:
    """Field → standardised value, for the fields that would change."""
    proposed: dict[str, Any] = {}
    if lead.title and (lead.title_level is None or lead.job_function is None):
        reading = read_title(lead.title)
        proposed["title_level"] = reading.level
        proposed["job_function"] = reading.function
        proposed["persona"] = persona_for(reading.level, reading.function, rules)
    if lead.phone and not lead.phone.startswith("+"):
        fixed = phone_e164(lead.phone, lead.country)
        if fixed:
            proposed["phone"] = fixed
    canonical = industry(lead.industry)
    if canonical and canonical != lead.industry:
        proposed["industry"] = canonical
    return {k: v for k, v in proposed.items() if getattr(lead, k) != v}


def preview(sessions: sessionmaker[Session], lead_id: str) -> dict[str, Any]:
    with sessions() as session:
        lead = session.get(Lead, lead_id)
        return suggestions(lead, persona_rules(session)) if lead else {}


def standardise_lead(sessions: sessionmaker[Session], lead_id: str) -> dict[str, Any]:
    """Apply the suggestions; returns what changed."""
    with sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise LookupError(f"The lead {lead_id} no longer exists.")
        changes = suggestions(lead, persona_rules(session))
        for field, value in changes.items():
            setattr(lead, field, value)
        return changes
