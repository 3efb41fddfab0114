"""Reference customers for marketing, and every time a reference was used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.closing import close_settings
from models.store import Account, Contact, ReferenceCustomer, ReferenceUse


@dataclass(frozen=True)
class ReferenceRow:
    id: str
    account: str
    contact: str | None
    kinds: tuple[str, ...]
    agreed_at: datetime
    uses: int
    last_used_at: datetime | None


@dataclass(frozen=True)
class ReferenceUseRow:
    kind: str
    used_for: str
    used_at: datetime
    note: str | None


def reference_customers(sessions: sessionmaker[Session]) -> list[ReferenceRow]:
    """Willing references, the least used first (so no customer is asked too often)."""
    uses = (select(ReferenceUse.reference_id, func.count().label("uses"),
                   func.max(ReferenceUse.used_at).label("last"))
            .group_by(ReferenceUse.reference_id).subquery())
    query = (select(ReferenceCustomer, Account.name, Contact.first_name, Contact.last_name,
                    uses.c.uses, uses.c.last)
             .join(Account, Account.id == ReferenceCustomer.account_id)
             .outerjoin(Contact, Contact.id == ReferenceCustomer.contact_id)
             .outerjoin(uses, uses.c.reference_id == ReferenceCustomer.id)
             .where(ReferenceCustomer.willing.is_(True)))
    with sessions() as session:
        rows = [
            ReferenceRow(ref.id, account, f"{first or ''} {last}".strip() if last else None,
                         tuple(ref.kinds), ref.agreed_at, count or 0,
                         _aware(last_used))
            for ref, account, first, last, count, last_used in session.execute(query).tuples()]
    return sorted(rows, key=lambda r: (r.uses, r.account))


def _aware(value: object) -> datetime | None:
    # The MAX() of a timestamp comes back as text; read it as the UTC it was stored in.
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def uses_of(sessions: sessionmaker[Session], reference_id: str) -> list[ReferenceUseRow]:
    with sessions() as session:
        return [ReferenceUseRow(u.kind, u.used_for, u.used_at, u.note)
                for u in session.scalars(select(ReferenceUse).where(
                    ReferenceUse.reference_id == reference_id)
                    .order_by(ReferenceUse.used_at.desc()))]


def record_use(sessions: sessionmaker[Session], reference_id: str, kind: str, used_for: str,
               by: str | None, now: datetime, note: str = "") -> None:
    """Log that a reference was used.

    Raises:
        ValueError: an unknown kind, a kind this customer did not agree to, or no purpose.
    """
    if kind not in close_settings()["reference_kinds"]:
        raise ValueError(f"Unknown kind of reference {kind!r}.")
    if not used_for.strip():
        raise ValueError("Say what the reference was used for (a prospect or campaign).")
    with sessions.begin() as session:
        reference = _reference(session, reference_id)
        if kind not in reference.kinds:
            raise ValueError(f"This customer agreed to {', '.join(reference.kinds)}, "
                             f"not to a {kind}.")
        session.add(ReferenceUse(reference_id=reference_id, kind=kind,
                                 used_for=used_for.strip(), used_by_id=by, used_at=now,
                                 note=note.strip() or None))


def _reference(session: Session, reference_id: str) -> ReferenceCustomer:
    reference = session.get(ReferenceCustomer, reference_id)
    if reference is None:
        raise ValueError("This reference no longer exists.")
    return reference
