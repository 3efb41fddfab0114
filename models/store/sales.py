"""What reps do with leads: campaigns, products, opportunities, activities and templates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base, Synced


class Campaign(Synced, Base):
    __tablename__ = "campaigns"
    crm_object = "Campaign"

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="Active")
    starts_on: Mapped[date | None] = mapped_column(Date)


class Product(Synced, Base):
    __tablename__ = "products"
    crm_object = "Product2"

    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(40))
    family: Mapped[str | None] = mapped_column(String(40))
    list_price: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))


class Opportunity(Synced, Base):
    __tablename__ = "opportunities"
    __table_args__ = (Index(None, "owner_id", "is_closed"), Index(None, "account_id"))
    crm_object = "Opportunity"

    name: Mapped[str] = mapped_column(String(120))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    lead_id: Mapped[str | None] = mapped_column(ForeignKey("leads.id"))
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(40), default="Discovery")
    amount: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))
    probability: Mapped[float | None] = mapped_column(Float)
    close_date: Mapped[date | None] = mapped_column(Date)
    next_step: Mapped[str | None] = mapped_column(String(255))
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_won: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    # Filled by the single close form.
    closed_at: Mapped[datetime | None]
    close_reason_code: Mapped[str | None] = mapped_column(String(40))
    competitor: Mapped[str | None] = mapped_column(String(255))
    contract_term_months: Mapped[int | None] = mapped_column(Integer)
    support_contract: Mapped[str | None] = mapped_column(String(40))
    billing_contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"))
    po_number: Mapped[str | None] = mapped_column(String(60))
    payment_terms: Mapped[str | None] = mapped_column(String(40))
    requested_features: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    close_notes: Mapped[str | None] = mapped_column(Text)


class OpportunityLineItem(Synced, Base):
    __tablename__ = "opportunity_line_items"
    __table_args__ = (Index(None, "opportunity_id"),)
    crm_object = "OpportunityLineItem"

    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))


class Activity(Synced, Base):
    """A call, e-mail, meeting or note, with its outcome; a Task in Salesforce."""

    __tablename__ = "activities"
    __table_args__ = (
        # With the kind, a lead's first call or e-mail after a moment is read from the index
        # alone (the response-time KPI, models.kpis.leads).
        Index(None, "lead_id", "occurred_at", "kind"),
        Index(None, "contact_id"),
        Index(None, "opportunity_id"),
        Index(None, "owner_id", "occurred_at"),
    )
    crm_object = "Task"

    # A Task made by another desk or in the CRM arrives without RepDesk's kind: a note.
    kind: Mapped[str] = mapped_column(String(20), default="note")
    lead_id: Mapped[str | None] = mapped_column(ForeignKey("leads.id"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    opportunity_id: Mapped[str | None] = mapped_column(ForeignKey("opportunities.id"))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(40))
    duration_s: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime]
    # "Call back at a time": when the lead asked to be called again.
    follow_up_at: Mapped[datetime | None]
    # E-mails: the address, and how the mail leaves ("crm" through the sync, "mailto").
    email_to: Mapped[str | None] = mapped_column(String(254))
    delivery: Mapped[str | None] = mapped_column(String(10))


class EmailTemplate(Synced, Base):
    __tablename__ = "email_templates"
    crm_object = "EmailTemplate"

    name: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    is_html: Mapped[bool] = mapped_column(Boolean, default=False)
    stage: Mapped[str | None] = mapped_column(String(20))
    persona: Mapped[str | None] = mapped_column(String(40))
    cadence_step: Mapped[int | None] = mapped_column(Integer)
