"""A demo with a past: eight weeks of a team's work, made through the same service functions
the window uses, so the inbox, the pipeline, References, Feedback and the funnel open with
something in them. Qualifications with answers, hand-offs accepted, rejected and pending (some
overdue), deals moved through their stages and closed won or lost, references and their uses.
Deterministic for a seed; the CRM is taken to know all of it already (no outbox entries)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from models.closing import CloseDraft, CloseError, LineItem, NewContact, close_opportunity
from models.deals import DealError, open_stages, step_stage
from models.demo.block_runs import make_block_runs
from models.funnel_config import close_rate_band
from models.handoffs import accept, opportunity_criteria, reject
from models.nurture import return_due_from_nurture
from models.qualification import QualificationDraft, frameworks, save_qualification
from models.references import record_use, reference_customers
from models.store import Account, Lead, OutboxEntry, Product, User
from models.vocab import Role

WEEKS = 8
# How many of the leads already called the past qualifies: a share, at most this many.
SHARE, AT_MOST = 0.1, 400
CATEGORIES = (("A", 25), ("B", 25), ("C", 30), ("D", 20))
REASONS = {"A": ("A-BUDGET-APPROVED", "A-REPLACING-TOOL", "A-TRIAL-SUCCESS"),
           "B": ("B-NEXT-BUDGET", "B-PROJECT-PLANNED"),
           "C": ("C-NO-PROJECT", "C-RESEARCHING", "C-CONTRACT-LOCKED"),
           "D": ("D-NO-FIT", "D-TOO-SMALL", "D-BAD-DATA")}
ANSWERS = {
    "Budget": ("Approved, 40k this year", "Being set for next quarter", "Up to 25k"),
    "Authority": ("VP Sales signs", "The CIO decides with finance", "Head of ops, CFO signs"),
    "Need": ("Reps lose two hours a day to data entry", "No view of the pipeline",
             "Leads answered too late"),
    "Timeframe": ("Live by March", "Decision this quarter", "After the reorganisation"),
    "Urgency": ("Board review next month", "Contract renewal in 60 days", "None stated"),
    "Money": ("Budget approved", "Needs a business case", "From the IT budget"),
}
FEATURES = ("Outlook add-in", "Dialer", "Offline mode", "SSO", "Territory maps",
            "Mobile app", "HubSpot sync")
COMPETITIVE_INFO = ("", "", "Their quote was 20 % lower", "Unhappy with their current tool",
                    "Renewal with the incumbent in March", "Evaluated us last year, chose a "
                    "cheaper tool", "The incumbent has no offline mode",
                    "IT prefers one vendor for CRM and dialer")
NEXT_STEPS = ("Demo with the buying team", "Pricing call with the CFO",
              "Technical review with IT", "Send the security questionnaire")


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _draft(rng: random.Random, category: str, ae: str | None, at: datetime,
           competitors: list[str]) -> QualificationDraft:
    framework = rng.choice(("BANT", "BANT", "ANUM", "AN"))
    answers = {c: rng.choice(ANSWERS[c]) for c in frameworks()[framework]}
    return QualificationDraft(
        category=category, reason_code=rng.choice(REASONS[category]), framework=framework,
        answers=answers if category in "AB" else {},
        competitors=tuple(rng.sample(competitors, min(len(competitors), rng.randint(0, 2)))),
        requested_features=tuple(rng.sample(FEATURES, rng.randint(0, 2))),
        competitive_info=rng.choice(COMPETITIVE_INFO),
        next_step=rng.choice(NEXT_STEPS) if category in "AB" else "",
        follow_up_on=(at + timedelta(days=rng.randint(14, 90))).date()
        if category == "C" else None,
        handoff_to_id=ae if category in "AB" else None)


def _contact(rng: random.Random, mailbox: str) -> NewContact:
    first = rng.choice(("Ines", "Theo", "Maya", "Jonas", "Priya", "Lucas", "Aiko", "Sam"))
    last = rng.choice(("Moreau", "Petit", "Becker", "Rossi", "Nakamura", "Silva", "Walsh"))
    return NewContact(first, last, f"{mailbox}.{first.lower()}@example.com")


def _close(sessions: sessionmaker[Session], rng: random.Random, deal_id: str, ae: str,
           products: list[tuple[str, float]], at: datetime, won: bool) -> bool:
    """Close the deal won or lost through the close form; False if the form refused it."""
    if won:
        product_id, price = rng.choice(products)
        draft = CloseDraft(
            outcome="won", reason_code=rng.choice(("WIN-FEATURES", "WIN-PRICE",
                                                   "WIN-RELATIONSHIP")),
            competitor=rng.choice(("", "Northwind CRM")),
            lines=(LineItem(product_id, rng.choice((10, 25, 50)), price),),
            contract_term_months=rng.choice((12, 24, 36)), support_contract="Premium",
            new_billing_contact=_contact(rng, "billing"), payment_terms="Net 30",
            new_technical_contacts=(_contact(rng, "it"),),
            reference_willing=rng.random() < 0.6, reference_kinds=("call", "logo"))
    else:
        draft = CloseDraft(outcome="lost", reason_code=rng.choice((
            "LOSS-PRICE", "LOSS-FEATURES", "LOSS-NO-DECISION", "LOSS-COMPETITOR")),
            competitor=rng.choice(("Northwind CRM", "no decision")),
            requested_features=tuple(rng.sample(FEATURES, 1)))
    try:
        close_opportunity(sessions, deal_id, draft, ae, at)
    except CloseError:  # a deal the close form refuses stays open
        return False
    return True


@dataclass(frozen=True)
class Closable:
    """An accepted deal with time left to close before now."""

    framework: str
    deal_id: str
    ae: str
    at: datetime


def _work_one(sessions: sessionmaker[Session], rng: random.Random, lead: Lead,
              context: dict[str, Any], now: datetime) -> Closable | None:
    """Qualify the lead; an A or B goes to an AE, who answers unless it is recent, and an
    accepted deal moves through its stages. Returns the deal when it could close by now."""
    first_touch = lead.first_touch_at or lead.created_at
    start = max(first_touch, now - timedelta(weeks=WEEKS)) + timedelta(hours=2)
    at = start + (now - start) * rng.random() ** 0.85
    category = _pick(rng, CATEGORIES)
    ae = rng.choice(context["aes"])
    draft = _draft(rng, category, ae, at, context["competitors"])
    save_qualification(sessions, lead.id, draft, lead.owner_id, at)
    if category not in "AB":
        return None
    sqls: Counter[str] = context["sqls"]
    sqls[draft.framework] += 1
    answered = at + timedelta(hours=rng.uniform(2, 40))
    fate = rng.random()
    if answered > now or (at > now - timedelta(days=4) and fate < 0.6):
        return None  # still pending: the last days' hand-offs, those past 48 hours overdue
    if fate < 0.2:
        reject(sessions, lead.id, ae, rng.choice(("REJECT-NOT-QUALIFIED",
                                                  "REJECT-WRONG-TERRITORY")),
               "Not the right time", answered)
        return None
    deal = accept(sessions, lead.id, ae, answered, context["criteria"])
    moved = answered
    for _ in range(rng.randint(0, len(open_stages()) - 2)):
        moved += timedelta(days=rng.uniform(1, 4))
        if moved > now:
            return None
        try:
            step_stage(sessions, deal, 1, ae, moved)
        except DealError:
            break
    closed = moved + timedelta(days=rng.uniform(2, 7))
    return Closable(draft.framework, deal, ae, closed) if closed < now else None


def _close_deals(sessions: sessionmaker[Session], rng: random.Random,
                 closable: list[Closable], sqls: Counter[str],
                 products: list[tuple[str, float]]) -> None:
    """Each framework's SQLs close won at the middle of its band (seed 003: BANT 25-35 %,
    the others 10-20 %; ``resources/funnel.json``), as far as its deals had the time; of
    the rest, most are lost with their reason and some stay open."""
    wins = {framework: round(sum(close_rate_band(framework)) / 2 * count)
            for framework, count in sqls.items()}
    for deal in closable:
        if wins[deal.framework] > 0:
            if _close(sessions, rng, deal.deal_id, deal.ae, products, deal.at, won=True):
                wins[deal.framework] -= 1
        elif rng.random() < 0.6:
            _close(sessions, rng, deal.deal_id, deal.ae, products, deal.at, won=False)


def make_past(sessions: sessionmaker[Session], seed: int, now: datetime) -> int:
    """Give the demo profile its eight weeks of work; returns how many leads were qualified."""
    rng = random.Random(seed * 7919 + 1)
    with sessions() as session:
        candidates = list(session.scalars(
            select(Lead).where(Lead.stage == "MQL", Lead.first_touch_at.is_not(None),
                               Lead.owner_id.is_not(None),
                               Lead.created_at < now - timedelta(days=2))
            .order_by(Lead.id)))
        context: dict[str, Any] = {
            "aes": list(session.scalars(select(User.id).where(User.role == Role.AE)
                                        .order_by(User.id))),
            "competitors": list(session.scalars(
                select(Account.name).where(Account.kind == "competitor")
                .order_by(Account.name).limit(12))),
            "products": [(p.id, p.list_price) for p in session.scalars(
                select(Product).order_by(Product.name))],
            "criteria": [key for key, _label in opportunity_criteria()],
            "sqls": Counter(),
        }
    if not candidates or not context["aes"]:
        return 0
    chosen = rng.sample(candidates, min(AT_MOST, max(1, int(len(candidates) * SHARE))))
    closable = [deal for lead in chosen
                if (deal := _work_one(sessions, rng, lead, context, now)) is not None]
    _close_deals(sessions, rng, closable, context["sqls"], context["products"])
    for days_ago in range(WEEKS * 7, -1, -1):
        # C leads come back from nurture on their follow-up day, as each morning's start
        # brings them back in the window.
        return_due_from_nurture(sessions, now - timedelta(days=days_ago))
    _use_references(sessions, rng, now)
    make_block_runs(sessions, seed, now)
    with sessions.begin() as session:
        # The CRM already knows this past, like the rest of the demo.
        session.execute(delete(OutboxEntry))
    return len(chosen)


def _use_references(sessions: sessionmaker[Session], rng: random.Random,
                    now: datetime) -> None:
    for reference in reference_customers(sessions):
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(reference.kinds)
            used = reference.agreed_at + (now - reference.agreed_at) * rng.random()
            record_use(sessions, reference.id, kind, rng.choice((
                "Prospect call for a logistics deal", "Logo on the website",
                "Case study for the retail campaign")), None, used)
