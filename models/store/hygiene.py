"""What lead hygiene worked out locally: each lead's best account match. Derived data, rebuilt
from leads and accounts at any time, so never sent to the CRM."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base


class LeadAccountMatch(Base):
    __tablename__ = "lead_account_matches"
    __table_args__ = (Index(None, "account_id"), Index(None, "confidence"))

    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"),
                                         primary_key=True)
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"))
    confidence: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The company and e-mail the match was made from: a lead is matched again when they change.
    fingerprint: Mapped[str] = mapped_column(String(600))
    matched_at: Mapped[datetime]
