"""The large-deal notice (seed 001): when a deal above the threshold closes, an e-mail goes to
the core management team recognising the rep who won it, sent by the CRM through the outbox.

Each mail's id, the external id its Task is created under in the CRM, comes from the deal and
the address, and the mails are written in the close's own transaction (which refuses a second
close): a retried sync or a lost answer ends in one mail per manager (``models.sync.mail``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.store import Account, Activity, Opportunity, User
from models.vocab import ActivityKind

# Fixed for ever: the ids of notices already sent depend on it.
NOTICE_NAMESPACE = uuid.UUID("0c7d54b2-3f55-4d0e-9a1e-6a8f0f3b2d41")


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str
    user_id: str | None


def notice_id(opportunity_id: str, address: str) -> str:
    return str(uuid.uuid5(NOTICE_NAMESPACE, f"large-deal/{opportunity_id}/{address.lower()}"))


def recipients(session: Session, notice: dict[str, Any]) -> list[Recipient]:
    """The managers of the roles named in the settings, then the addresses named there; each
    address once."""
    found: dict[str, Recipient] = {}
    roles = list(notice.get("to_roles", []))
    for user in session.scalars(select(User).where(User.role.in_(roles))
                                .order_by(User.name)):
        if user.email and user.email.strip():
            found.setdefault(user.email.strip().lower(),
                             Recipient(user.name, user.email.strip(), user.id))
    for address in notice.get("to_addresses", []):
        if isinstance(address, str) and "@" in address:
            found.setdefault(address.strip().lower(), Recipient(address.strip(),
                                                                address.strip(), None))
    return list(found.values())


def rep_name(session: Session, deal: Opportunity, closed_by: str | None) -> str:
    """Who won it: the deal's owner, else whoever closed it."""
    for user_id in (deal.owner_id, closed_by):
        user = session.get(User, user_id) if user_id else None
        if user is not None and (user.name or "").strip():
            return user.name.strip()
        if user is not None and user.email:
            return user.email
    return "A rep"


def notice_text(rep: str, deal: Opportunity, account: str | None, amount: float,
                threshold: float, competitor: str | None) -> tuple[str, str]:
    subject = f"{rep} closed {deal.name}: {amount:,.0f}"
    lines = [f"{rep} has just won {deal.name}"
             f"{f' with {account}' if account else ''}, for {amount:,.2f}, above the "
             f"{threshold:,.0f} threshold for a large deal.",
             ""]
    if competitor:
        lines += [f"Competitor displaced: {competitor}.", ""]
    lines.append(f"Congratulations to {rep}.")
    return subject, "\n".join(lines)


def queue_large_deal_notice(session: Session, deal: Opportunity, amount: float,
                            closed_by: str | None, settings: dict[str, Any],
                            competitor: str | None, now: datetime) -> list[str]:
    """Write the notice for every recipient (inside the close's transaction); returns the
    mails' ids. Nothing is written under the threshold or with no one to write to."""
    threshold = float(settings["management_threshold"])
    if amount < threshold:
        return []
    rep = rep_name(session, deal, closed_by)
    account = session.get(Account, deal.account_id) if deal.account_id else None
    subject, body = notice_text(rep, deal, account.name if account else None, amount,
                                threshold, competitor)
    written = []
    for recipient in recipients(session, settings.get("management_notice", {})):
        mail_id = notice_id(deal.id, recipient.address)
        if session.get(Activity, mail_id) is None:
            session.add(Activity(
                id=mail_id, kind=ActivityKind.EMAIL, opportunity_id=deal.id,
                account_id=deal.account_id, owner_id=recipient.user_id or deal.owner_id,
                subject=subject[:255], body=body, occurred_at=now,
                email_to=recipient.address, delivery="crm"))
            written.append(mail_id)
    return written
