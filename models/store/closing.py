"""What closing a deal leaves behind: hand-offs to other teams, and reference customers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base, Synced


class CloseHandoff(Synced, Base):
    """One team's to-do from a closed deal (invoice, onboarding, reference, large-deal notice).

    Its local id is its external id in the CRM, so however often a push is retried the team
    receives it once.
    """

    __tablename__ = "close_handoffs"
    __table_args__ = (Index(None, "opportunity_id"),)
    crm_object = "CloseHandoff__c"

    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"))
    team: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    addressed_to: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime | None]
    # What the team needs, in one place: contacts, products, terms...
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class ReferenceCustomer(Synced, Base):
    """A customer who agreed to be a reference, and in which ways."""

    __tablename__ = "reference_customers"
    __table_args__ = (Index(None, "account_id"),)
    crm_object = "Reference__c"

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    opportunity_id: Mapped[str | None] = mapped_column(ForeignKey("opportunities.id"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"))
    willing: Mapped[bool] = mapped_column(Boolean, default=True)
    # Any of "call", "case study", "logo", "site visit".
    kinds: Mapped[list[Any]] = mapped_column(default=list)
    agreed_at: Mapped[datetime]


class ReferenceUse(Synced, Base):
    """One time marketing or sales used a reference."""

    __tablename__ = "reference_uses"
    __table_args__ = (Index(None, "reference_id"),)
    crm_object = "ReferenceUse__c"

    reference_id: Mapped[str] = mapped_column(ForeignKey("reference_customers.id"))
    kind: Mapped[str] = mapped_column(String(20))
    used_for: Mapped[str] = mapped_column(String(255))
    used_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
