"""Meetings an SDR books for an AE: an Event in Salesforce."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base, Synced


class Meeting(Synced, Base):
    __tablename__ = "meetings"
    __table_args__ = (Index(None, "owner_id", "starts_at"), Index(None, "lead_id"))
    crm_object = "Event"

    subject: Mapped[str] = mapped_column(String(255))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    lead_id: Mapped[str | None] = mapped_column(ForeignKey("leads.id"))
    opportunity_id: Mapped[str | None] = mapped_column(ForeignKey("opportunities.id"))
    # The AE whose calendar holds it, and the SDR who set it ("meetings set" is theirs).
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    booked_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    # "booked", then "held" or "no-show".
    state: Mapped[str] = mapped_column(String(12), default="booked")
    # The invitation e-mail (an activity) booked with it: it goes once the Event is in the
    # CRM, so a slot someone else took first sends no invitation.
    invitation_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime]
    # Its Event is being created, or was, and the AE's calendar has not been asked again
    # since (models/sync/slots.py): a sync stopped in between leaves it for the next one.
    slot_unchecked: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
