"""Keeping every lead's account match current: run in the background over all leads, then
again only for the leads whose company, e-mail or address changed (or for all of them when the
accounts changed). A lead the CRM already links to an account keeps that link."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, delete, func, insert, literal, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models.hygiene.matching import DEFAULT_THRESHOLD, AccountFacts, AccountIndex, LeadCompany
from models.hygiene.standardise import email_domain, size_band
from models.store import Account, Activity, Lead, LeadAccountMatch, Setting

THRESHOLD_SETTING = "matching.threshold"
SIGNATURE_SETTING = "matching.accounts_signature"
WRITE_BATCH = 2_000


@dataclass(frozen=True)
class MatchRefresh:
    """What one refresh did, for the status line and the benchmark."""

    rematched: int
    linked: int
    matched: int
    low_confidence: int
    unmatched: int
    seconds: float


@dataclass(frozen=True)
class LeadAccount:
    """The account a lead belongs to, as the lead panel shows it."""

    account_id: str | None
    account_name: str | None
    kind: str | None
    is_named: bool
    confidence: float
    method: str
    reasons: tuple[str, ...]
    confirmed: bool  # at or above the threshold, or linked in the CRM


def threshold(session: Session) -> float:
    value = session.get(Setting, THRESHOLD_SETTING)
    return float(value.value) if value and value.value is not None else DEFAULT_THRESHOLD


def _accounts(session: Session) -> list[AccountFacts]:
    activity: dict[str | None, datetime] = {
        account_id: at for account_id, at in session.execute(
            select(Activity.account_id, func.max(Activity.occurred_at))
            .where(Activity.account_id.is_not(None)).group_by(Activity.account_id))}
    rows = session.execute(select(Account.id, Account.name, Account.domain, Account.kind,
                                  Account.is_named, Account.employees, Account.city,
                                  Account.postal_code, Account.country).order_by(Account.id))
    where = _lead_postal_codes(session)
    return [AccountFacts(i, name, domain, kind, named, employees, activity.get(i), city,
                         postal, country, tuple(sorted(where.get(i, ()))))
            for i, name, domain, kind, named, employees, city, postal, country in rows]


def _lead_postal_codes(session: Session) -> dict[str, set[str]]:
    """Where each account's own leads are: the postal codes of the leads the CRM links to
    it or matched to it with confidence."""
    limit = threshold(session)
    linked = select(Lead.account_id, Lead.postal_code).where(
        Lead.account_id.is_not(None), Lead.postal_code.is_not(None))
    matched = select(LeadAccountMatch.account_id, Lead.postal_code).join(
        Lead, Lead.id == LeadAccountMatch.lead_id).where(
        LeadAccountMatch.account_id.is_not(None), LeadAccountMatch.confidence >= limit,
        LeadAccountMatch.method.in_(("domain", "name")), Lead.postal_code.is_not(None))
    found: dict[str, set[str]] = {}
    for account_id, code in session.execute(linked.union(matched)):
        found.setdefault(account_id, set()).add(code)
    return found


def _signature(session: Session) -> str:
    """What matching depends on in the accounts, hashed: when it changes, every lead is
    matched again."""
    digest = hashlib.blake2b(digest_size=16)
    for row in session.execute(select(Account.id, Account.name, Account.domain, Account.kind,
                                      Account.is_named, Account.city, Account.postal_code,
                                      Account.country).order_by(Account.id)):
        digest.update("\x1f".join(map(str, row)).encode() + b"\x1e")
    return digest.hexdigest()


def fingerprint(company: str | None, email: str | None, account_id: str | None,
                city: str | None = None, postal_code: str | None = None,
                country: str | None = None) -> str:
    """What a lead's match depends on: its company, e-mail, CRM link and address."""
    return "\x1f".join(value or "" for value in (
        company, email, account_id, city, postal_code, country))[:600]


def _fingerprint_in_sql() -> Any:
    """``fingerprint`` as SQLite computes it, so unchanged leads are never read."""
    sep = literal("\x1f", String)
    parts = [func.coalesce(column, "") for column in (
        Lead.company, Lead.email, Lead.account_id, Lead.city, Lead.postal_code, Lead.country)]
    joined: Any = parts[0]
    for part in parts[1:]:
        joined = joined + sep + part
    return func.substr(joined, 1, 600)


def leads_to_match(sessions: sessionmaker[Session]) -> int:
    """How many leads the next ``refresh_matches`` would match."""
    with sessions() as session:
        query = _needing_match(session, _signature(session), everything=False)
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _needing_match(session: Session, signature: str, everything: bool) -> Select[Any]:
    """The leads to match: all of them when asked, or when the accounts changed since the
    last match (their signature differs); otherwise those unmatched or changed since."""
    stored = session.get(Setting, SIGNATURE_SETTING)
    query = select(Lead.id, Lead.company, Lead.email, Lead.account_id, Lead.city,
                   Lead.postal_code, Lead.country)
    if everything or stored is None or stored.value != signature:
        return query
    return query.outerjoin(LeadAccountMatch, LeadAccountMatch.lead_id == Lead.id).where(
        or_(LeadAccountMatch.lead_id.is_(None),
            LeadAccountMatch.fingerprint != _fingerprint_in_sql()))


@dataclass
class MatchPlan:
    """A refresh worked out from a read, to be written a batch at a time: ``batches`` works
    each one out as it is asked for (the rows of all 100,000 leads of a first match took some
    250 MB at once), and ``finish_matches`` writes the accounts' signature after the last."""

    signature: str
    threshold: float
    leads: int
    batches: Iterator[list[dict[str, Any]]]


def plan_matches(sessions: sessionmaker[Session], now: datetime, everything: bool = False,
                 workers: int = 1) -> MatchPlan:
    """Which leads to match, read at once; their matches worked out a batch at a time as
    ``batches`` is iterated. Writes nothing."""
    with sessions() as session:
        limit = threshold(session)
        signature = _signature(session)
        leads = list(session.execute(_needing_match(session, signature, everything)).all())
        accounts = _accounts(session) if leads else []

    def batches() -> Iterator[list[dict[str, Any]]]:
        index = AccountIndex(accounts) if accounts else None
        names = {account.id: account.name for account in accounts}
        for start in range(0, len(leads), WRITE_BATCH):
            yield _match_rows(index, names, leads[start:start + WRITE_BATCH], limit, now,
                              workers)

    return MatchPlan(signature, limit, len(leads), batches())


def write_matches(sessions: sessionmaker[Session], rows: list[dict[str, Any]]) -> None:
    """One batch of a plan, in one short transaction."""
    with sessions.begin() as session:
        session.execute(delete(LeadAccountMatch).where(
            LeadAccountMatch.lead_id.in_([row["lead_id"] for row in rows])))
        if rows:
            session.execute(insert(LeadAccountMatch), rows)


def finish_matches(sessions: sessionmaker[Session], signature: str) -> None:
    """After a plan's last batch: the accounts it was matched against. Written last, so a run
    cut short matches everything again next time."""
    with sessions.begin() as session:
        session.merge(Setting(key=SIGNATURE_SETTING, value=signature))


class MatchTally:
    """What the written batches of a plan did, for the status line and the benchmark."""

    def __init__(self, limit: float) -> None:
        self._limit = limit
        self._started = time.perf_counter()
        self.rows = self.linked = self.confident = self.low = self.none = 0

    def add(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            method = row["method"]
            self.rows += 1
            self.linked += method == "linked"
            self.none += method == "none"
            self.confident += method in ("domain", "name") and row["confidence"] >= self._limit
            self.low += method == "name" and row["confidence"] < self._limit

    def done(self) -> MatchRefresh:
        return MatchRefresh(self.rows, self.linked, self.confident, self.low, self.none,
                            round(time.perf_counter() - self._started, 3))


def refresh_matches(sessions: sessionmaker[Session], now: datetime,
                    everything: bool = False, workers: int = 1) -> MatchRefresh:
    """Match the leads that need it; ``everything`` re-matches all of them. One core by
    default: this runs beside the window, which keeps the other. Each batch is written in
    its own transaction: one for all of them held SQLite's write lock for seconds while the
    rep's saves waited. (The window writes a plan's batches through its command runner.)"""
    plan = plan_matches(sessions, now, everything, workers)
    tally = MatchTally(plan.threshold)
    for rows in plan.batches:
        write_matches(sessions, rows)
        tally.add(rows)
    finish_matches(sessions, plan.signature)
    return tally.done()


def _match_rows(index: AccountIndex | None, names: dict[str, str], leads: list[Any],
                limit: float, now: datetime, workers: int) -> list[dict[str, Any]]:
    rows = []
    to_match = []
    for lead in leads:
        if lead.account_id in names:
            rows.append(_row(lead, lead.account_id, 100.0, "linked",
                             [f"linked to {names[lead.account_id]} in the CRM"], now))
        else:
            to_match.append(lead)
    if to_match and index is not None:
        found = index.match([LeadCompany(r.id, r.company or "", r.email, r.city,
                                         r.postal_code, r.country) for r in to_match],
                            limit, workers)
        rows += [_row(lead, match.account_id, match.confidence, match.method,
                      list(match.reasons), now) for lead, match in zip(to_match, found,
                                                                      strict=True)]
    else:
        rows += [_row(lead, None, 0.0, "none", ["no accounts yet"], now) for lead in to_match]
    return rows


def _row(lead: Any, account_id: str | None, confidence: float, method: str,
         reasons: list[str], now: datetime) -> dict[str, Any]:
    return {"lead_id": lead.id, "account_id": account_id, "confidence": confidence,
            "method": method, "reasons": reasons, "matched_at": now,
            "fingerprint": fingerprint(lead.company, lead.email, lead.account_id, lead.city,
                                       lead.postal_code, lead.country)}


def account_of(session: Session, lead_id: str) -> LeadAccount | None:
    """The lead's account match, or None when it has not been matched yet."""
    row = session.execute(
        select(LeadAccountMatch, Account.name, Account.kind, Account.is_named)
        .outerjoin(Account, LeadAccountMatch.account_id == Account.id)
        .where(LeadAccountMatch.lead_id == lead_id)).first()
    if row is None:
        return None
    match, name, kind, named = row
    confirmed = match.method == "linked" or (
        match.account_id is not None and match.confidence >= threshold(session))
    return LeadAccount(match.account_id, name, kind, bool(named), match.confidence,
                       match.method, tuple(match.reasons), confirmed)


def confirm_match(sessions: sessionmaker[Session], lead_id: str) -> str | None:
    """Link the lead to its matched account (an ordinary edit, so the CRM gets it too)."""
    with sessions.begin() as session:
        match = session.get(LeadAccountMatch, lead_id)
        lead = session.get(Lead, lead_id)
        if match is None or lead is None or match.account_id is None:
            return None
        lead.account_id = match.account_id
        match.method, match.confidence = "linked", 100.0
        match.fingerprint = fingerprint(lead.company, lead.email, lead.account_id, lead.city,
                                        lead.postal_code, lead.country)
        return match.account_id


def create_account_for(sessions: sessionmaker[Session], lead_id: str) -> str | None:
    """A prospect account for the lead's company and e-mail domain, with the lead linked to
    it (both reach the CRM). None when the lead is gone."""
    with sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            return None
        domain = email_domain(lead.email)
        account = Account(name=lead.company, kind="prospect", owner_id=lead.owner_id,
                          domain=None if domain.free_mail else domain.domain,
                          industry=lead.industry, employees=lead.employees,
                          size_band=size_band(lead.employees), city=lead.city,
                          state=lead.state, postal_code=lead.postal_code, country=lead.country)
        session.add(account)
        session.flush()
        lead.account_id = account.id
        return account.id
