"""Who RepDesk is about: reps, accounts, their contacts and the leads reps work."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, func, literal_column
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base, Synced


class User(Synced, Base):
    """A rep or manager; owns leads, accounts and opportunities."""

    __tablename__ = "users"
    crm_object = "User"

    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    team: Mapped[str | None] = mapped_column(String(60))
    region: Mapped[str | None] = mapped_column(String(60))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")


class Account(Synced, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        Index(None, "domain"),
        Index(None, "name"),
        # The qualification form lists competitors by name: without it, 50,000 accounts read
        # through the name index (98 ms a form).
        Index(None, "kind", "name"),
    )
    crm_object = "Account"

    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20), default="prospect")
    is_named: Mapped[bool] = mapped_column(Boolean, default=False)
    domain: Mapped[str | None] = mapped_column(String(255))
    industry: Mapped[str | None] = mapped_column(String(80))
    sic: Mapped[str | None] = mapped_column(String(8))
    employees: Mapped[int | None] = mapped_column(Integer)
    size_band: Mapped[str | None] = mapped_column(String(20))
    street: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(80))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class Contact(Synced, Base):
    __tablename__ = "contacts"
    __table_args__ = (Index(None, "account_id"), Index(None, "email"))
    crm_object = "Contact"

    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    first_name: Mapped[str | None] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    title: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_technical: Mapped[bool] = mapped_column(Boolean, default=False)
    is_billing: Mapped[bool] = mapped_column(Boolean, default=False)
    stage: Mapped[str | None] = mapped_column(String(20))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class Lead(Synced, Base):
    """A person who showed interest, worked by an SDR from first touch to hand-off."""

    __tablename__ = "leads"
    __table_args__ = (
        # The leads list opens newest first and searches name, company and e-mail: this index
        # covers both, so neither reads the wide rows (18 ms instead of 125 ms on 100k leads).
        Index("ix_leads_newest_search", "created_at", "search_key", "id"),
        Index(None, "owner_id", "stage", "created_at"),
        # The call and e-mail queues: one range scan per rep and channel.
        Index("ix_leads_queue", "owner_id", "cadence_channel", "cadence_due_at"),
        Index(None, "email"),
        Index(None, "account_id"),
        Index(None, "last_name", "first_name"),
        Index(None, "company"),
        Index(None, "handoff_to_id", "handoff_state"),
        Index(None, "owner_id", "handoff_state", "handoff_due_at"),
        # Leads due back from nurture, looked for at every start (models.nurture).
        Index(None, "stage", "follow_up_on", "handoff_state"),
        # Leads held over 2 days without a touch, per rep (models.kpis), from the index alone.
        Index(None, "stage", "owner_id", "handoff_state", "last_touch_at", "created_at"),
    )
    crm_object = "Lead"
    # Derived from the lead's touches (models.touches), or the rep's own planning: not CRM data.
    local_only = Synced.local_only | {
        "search_key", "cadence_state", "cadence_step", "cadence_channel", "cadence_due_at",
        "cadence_deadline", "snoozed_until", "cadence_started_at",
    }

    first_name: Mapped[str | None] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    company: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(128))
    title_level: Mapped[str | None] = mapped_column(String(30))
    job_function: Mapped[str | None] = mapped_column(String(30))
    persona: Mapped[str | None] = mapped_column(String(40))
    # The CRM's lead status as well as ours ("Closed - Not Converted" is 22 characters;
    # Salesforce allows picklist values of 255).
    stage: Mapped[str] = mapped_column(String(255), default="MQL")
    category: Mapped[str | None] = mapped_column(String(1))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(String(60))
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    industry: Mapped[str | None] = mapped_column(String(80))
    employees: Mapped[int | None] = mapped_column(Integer)
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(80))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))
    trial_expires_at: Mapped[datetime | None]
    # What the lead told us on the form, shown so nobody asks twice.
    registration: Mapped[dict[str, Any]] = mapped_column(default=dict)
    do_not_call: Mapped[bool] = mapped_column(Boolean, default=False)
    email_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    first_touch_at: Mapped[datetime | None]
    last_touch_at: Mapped[datetime | None]
    handoff_to_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    handoff_at: Mapped[datetime | None]
    handoff_due_at: Mapped[datetime | None]
    handoff_state: Mapped[str | None] = mapped_column(String(20))
    handoff_note: Mapped[str | None] = mapped_column(Text)
    handoff_reason_code: Mapped[str | None] = mapped_column(String(40))
    # Category C: when marketing's nurture hands the lead back for another call.
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    # Lower-cased name, company and e-mail for the search box; kept by models.store.tracking.
    search_key: Mapped[str] = mapped_column(Text, default="")
    # Where the lead stands in its follow-up cadence, kept by models.touches.
    cadence_key: Mapped[str | None] = mapped_column(String(40))
    cadence_state: Mapped[str | None] = mapped_column(String(20))
    cadence_step: Mapped[int | None] = mapped_column(Integer)
    cadence_channel: Mapped[str | None] = mapped_column(String(10))
    cadence_due_at: Mapped[datetime | None]
    cadence_deadline: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    # When the current cadence began, if not at creation (a lead back from nurture).
    cadence_started_at: Mapped[datetime | None]


def folded(column: Any) -> Any:
    """``column`` lower-cased, as the indexes for a check at entry hold it."""
    return func.lower(column)


def mail_domain(column: Any) -> Any:
    """The lower-cased part of an e-mail address after its "@", written with literals so
    that a query's expression is the index's own (a bound parameter would not match it)."""
    return func.lower(func.substr(column, func.instr(column, literal_column("'@'"))
                                  + literal_column("1")))


# A new lead is checked at entry against everyone with its e-mail, phone, surname, work
# domain, or first name at its company (models.hygiene.entry): one index for each, so that
# the check reads a few rows instead of every lead.
for _name, _expression in (("email_folded", folded(Lead.email)),
                           ("last_name_folded", folded(Lead.last_name)),
                           ("company_folded", folded(Lead.company)),
                           ("mail_domain", mail_domain(Lead.email)),
                           ("phone", Lead.phone)):
    Index(f"ix_leads_{_name}", _expression)
