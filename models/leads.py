"""Finding and reading leads for the leads table and the lead panel."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker

from models.hygiene.account_links import account_of
from models.hygiene.route_leads import route_of
from models.records import AccountMatchNote, AccountSummary, ActivityRecord, LeadDetail, LeadRow
from models.store import Account, Activity, Campaign, Lead, User

HISTORY_LIMIT = 200


def _full_name(first: str | None, last: str) -> str:
    return f"{first} {last}" if first else last


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class LeadDirectory:
    """Read access to the leads of one store, in short sessions."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def search(self, text: str = "") -> list[str]:
        """Ids of the leads whose name, company or e-mail contain every word typed, newest
        first."""
        query = select(Lead.id).order_by(Lead.created_at.desc())
        for word in text.casefold().split():
            query = query.where(Lead.search_key.like(f"%{_escape_like(word)}%", escape="\\"))
        with self._sessions() as session:
            # Core execution: the ORM's per-row bookkeeping would triple the time for 100k ids.
            return list(session.connection().execute(query).scalars())

    def rows(self, ids: Sequence[str]) -> list[LeadRow]:
        """The table rows for ``ids``, in the same order; ids no longer present are skipped."""
        owner = aliased(User)
        query = (
            select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.title,
                   Lead.email, Lead.phone, Lead.stage, Lead.persona, Lead.country,
                   owner.name, Lead.created_at)
            .outerjoin(owner, owner.id == Lead.owner_id)
            .where(Lead.id.in_(ids))
        )
        with self._sessions() as session:
            found = {
                row[0]: LeadRow(
                    id=row[0], name=_full_name(row[1], row[2]), company=row[3], title=row[4],
                    email=row[5], phone=row[6], stage=row[7], persona=row[8], country=row[9],
                    owner=row[10], created_at=row[11],
                )
                for row in session.execute(query)
            }
        return [found[i] for i in ids if i in found]

    def detail(self, lead_id: str) -> LeadDetail | None:
        with self._sessions() as session:
            lead = session.get(Lead, lead_id)
            if lead is None:
                return None
            names = _user_names(session, lead)
            match = account_of(session, lead.id)
            account_id = lead.account_id or (match.account_id if match else None)
            campaign = session.get(Campaign, lead.campaign_id) if lead.campaign_id else None
            return LeadDetail(
                id=lead.id, name=_full_name(lead.first_name, lead.last_name),
                company=lead.company, title=lead.title, title_level=lead.title_level,
                job_function=lead.job_function, persona=lead.persona, email=lead.email,
                phone=lead.phone, stage=lead.stage, category=lead.category,
                reason_code=lead.reason_code, source=lead.source,
                campaign=campaign.name if campaign else None,
                owner=names.get(lead.owner_id), city=lead.city, country=lead.country,
                timezone=lead.timezone, created_at=lead.created_at,
                first_touch_at=lead.first_touch_at, last_touch_at=lead.last_touch_at,
                trial_expires_at=lead.trial_expires_at, do_not_call=lead.do_not_call,
                email_opt_out=lead.email_opt_out,
                registration={str(k): str(v) for k, v in (lead.registration or {}).items()},
                account=_account_summary(session, account_id),
                account_match=AccountMatchNote(match.confidence, match.method, match.reasons,
                                               match.confirmed) if match else None,
                routing=_routing(session, lead.id),
                history=_history(session, lead.id),
            )


def _routing(session: Session, lead_id: str) -> str | None:
    decision = route_of(session, lead_id)
    if decision is None:
        return None
    later = " (how a new lead like this is routed; this one stays with its owner)" \
        if decision.new_leads_only else ""
    return f"{decision.rule}: {decision.explanation}{later}"


def _user_names(session: Session, lead: Lead) -> dict[str | None, str]:
    ids = {lead.owner_id, lead.handoff_to_id} - {None}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples()
    return {user_id: name for user_id, name in rows}


def _account_summary(session: Session, account_id: str | None) -> AccountSummary | None:
    if account_id is None:
        return None
    account = session.get(Account, account_id)
    if account is None:
        return None
    owner = session.get(User, account.owner_id) if account.owner_id else None
    return AccountSummary(
        id=account.id, name=account.name, kind=account.kind, is_named=account.is_named,
        domain=account.domain, industry=account.industry, employees=account.employees,
        size_band=account.size_band, country=account.country,
        owner=owner.name if owner else None,
    )


def _history(session: Session, lead_id: str) -> tuple[ActivityRecord, ...]:
    query = (
        select(Activity.kind, Activity.subject, Activity.outcome, Activity.occurred_at,
               User.name, Activity.body)
        .outerjoin(User, User.id == Activity.owner_id)
        .where(Activity.lead_id == lead_id)
        .order_by(Activity.occurred_at.desc())
        .limit(HISTORY_LIMIT)
    )
    return tuple(
        ActivityRecord(kind=k, subject=s, outcome=o, occurred_at=at, by=by, body=b)
        for k, s, o, at, by, b in session.execute(query)
    )
