"""The clean-up block's list: the rep's open leads that need a hand before anyone calls them,
each with the one key that fixes it. Suspected duplicates (M merges), leads routed to the
wrong person (R routes), accounts to confirm or create (A links, C creates), then missing or
bad data (F fixes what standardisation can)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models.hygiene.account_links import threshold
from models.hygiene.duplicates import LeadIdentity, find_duplicates
from models.hygiene.route_leads import OPEN_STAGES, misrouted
from models.hygiene.standardise import email_domain, read_title
from models.store import Account, Lead, LeadAccountMatch

CLEANUP_LIMIT = 500
ACCOUNT_LIMIT = 100


@dataclass(frozen=True)
class DataProblem:
    lead_id: str
    name: str
    company: str
    problems: tuple[str, ...]
    kind: str = "data"  # duplicate, routing, account, no account or data
    # What standardisation would set (F applies it).
    fixes: tuple[tuple[str, str], ...] = ()
    # A suspected duplicate: the older lead this one would merge into (M merges).
    merge_into: str | None = None
    # A match below the threshold: the account A would link the lead to.
    account_id: str | None = None


def _name(first: str | None, last: str) -> str:
    return f"{first or ''} {last}".strip()


def suspected_duplicates(sessions: sessionmaker[Session], rep_id: str) -> list[DataProblem]:
    """The rep's open leads that look like an older lead or a known contact, with why."""
    with sessions() as session:
        rows = session.execute(select(
            Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.email, Lead.phone,
            Lead.title, Lead.city, Lead.postal_code, Lead.country, Lead.created_at).where(
                Lead.owner_id == rep_id, Lead.stage.in_(OPEN_STAGES))).all()
    facts = [LeadIdentity(r.id, r.first_name, r.last_name, r.company, r.email, r.phone,
                          title=r.title, city=r.city, postal_code=r.postal_code,
                          country=r.country) for r in rows]
    created = {r.id: r.created_at for r in rows}
    by_id = {r.id: r for r in rows}
    problems = []
    for pair in find_duplicates(facts):
        older, newer = sorted((pair.first, pair.second), key=lambda i: created[i])
        lead, other = by_id[newer], by_id[older]
        why = ", ".join(field for field, _score in pair.reasons[:3])
        problems.append(DataProblem(
            newer, _name(lead.first_name, lead.last_name), lead.company,
            (f"looks like {_name(other.first_name, other.last_name)} of {other.company} "
             f"({pair.score:.0f}: {why})",), kind="duplicate", merge_into=older))
    return problems


def wrongly_routed(sessions: sessionmaker[Session], rep_id: str) -> list[DataProblem]:
    return [DataProblem(row.id, _name(row.first_name, row.last_name), row.company,
                        (f"{decision.rule}: {decision.explanation}",), kind="routing")
            for row, decision in misrouted(sessions, rep_id)]


def accounts_to_confirm(sessions: sessionmaker[Session], rep_id: str) -> list[DataProblem]:
    """Open leads matched below the threshold (A links them), or matched to nothing although
    they write from a company address (C creates the account)."""
    with sessions() as session:
        limit = threshold(session)
        rows = session.execute(
            select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.email,
                   LeadAccountMatch.account_id, LeadAccountMatch.confidence,
                   LeadAccountMatch.reasons, Account.name)
            .join(LeadAccountMatch, LeadAccountMatch.lead_id == Lead.id)
            .outerjoin(Account, Account.id == LeadAccountMatch.account_id)
            .where(Lead.owner_id == rep_id, Lead.stage.in_(OPEN_STAGES),
                   Lead.account_id.is_(None),
                   or_(and_(LeadAccountMatch.method == "name",
                            LeadAccountMatch.confidence < limit),
                       LeadAccountMatch.method == "none"))
            .order_by(Lead.created_at.desc()).limit(ACCOUNT_LIMIT * 3)).all()
    problems = []
    for row in rows:
        name = _name(row.first_name, row.last_name)
        if row.account_id is not None:
            problems.append(DataProblem(
                row.id, name, row.company,
                (f"may belong to {row.name} ({row.confidence:.0f}% sure): "
                 + "; ".join(row.reasons[:2]),), kind="account", account_id=row.account_id))
        else:
            domain = email_domain(row.email)
            if domain.domain and not domain.free_mail:
                problems.append(DataProblem(
                    row.id, name, row.company,
                    (f"no account for {row.company} ({domain.domain})",), kind="no account"))
    return problems[:ACCOUNT_LIMIT]


def missing_data(sessions: sessionmaker[Session], rep_id: str,
                 limit: int = CLEANUP_LIMIT) -> list[DataProblem]:
    phone_bad = or_(Lead.phone.is_(None), Lead.phone.not_like("+%"))
    query = (
        select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.phone, Lead.title,
               Lead.title_level)
        .where(Lead.owner_id == rep_id, Lead.stage.in_(OPEN_STAGES),
               or_(phone_bad, Lead.title.is_(None), and_(Lead.title.is_not(None),
                                                          Lead.title_level.is_(None))))
        .order_by(Lead.created_at.desc()).limit(limit)
    )
    problems = []
    with sessions() as session:
        for lead_id, first, last, company, phone, title, level in session.execute(query):
            found = []
            if phone is None:
                found.append("no phone number")
            elif not phone.startswith("+"):
                found.append(f"bad phone number {phone!r}")
            if title is None:
                found.append("no title")
            elif level is None:
                found.append(f"title {title!r} not standardised")
            fixes: tuple[tuple[str, str], ...] = ()
            if title and level is None:
                reading = read_title(title)
                fixes = (("title_level", reading.level), ("job_function", reading.function))
            problems.append(DataProblem(lead_id, _name(first, last), company, tuple(found),
                                        fixes=fixes))
    return problems


def data_problems(sessions: sessionmaker[Session], rep_id: str,
                  limit: int = CLEANUP_LIMIT) -> list[DataProblem]:
    """The whole clean-up list, in the order the block works it."""
    problems = [*suspected_duplicates(sessions, rep_id), *wrongly_routed(sessions, rep_id),
                *accounts_to_confirm(sessions, rep_id)]
    listed = {problem.lead_id for problem in problems}
    problems += [p for p in missing_data(sessions, rep_id, limit) if p.lead_id not in listed]
    return problems[:limit]
