"""Qualification records, the funnel's stage history and form drafts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base, Synced


class Qualification(Synced, Base):
    """How an SDR filed a lead once contact was made: category, reason, criteria, feedback."""

    __tablename__ = "qualifications"
    __table_args__ = (Index(None, "lead_id"),)
    crm_object = "Qualification__c"

    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"))
    category: Mapped[str] = mapped_column(String(1))
    reason_code: Mapped[str] = mapped_column(String(40))
    framework: Mapped[str] = mapped_column(String(10))
    # Criterion → the lead's answer, e.g. {"Budget": "Approved, 40k"}.
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    competitors: Mapped[list[Any]] = mapped_column(default=list)
    requested_features: Mapped[list[Any]] = mapped_column(default=list)
    competitive_info: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    handoff_to_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    qualified_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    qualified_at: Mapped[datetime]


class StageChange(Base):
    """One move of a lead through the funnel: who, when, from, to and why.

    Local history, appended and never edited, so conversion between any two stages can be
    computed ("waterfall" reporting).
    """

    __tablename__ = "stage_changes"
    __table_args__ = (
        # The funnel report reads each lead's path in order from this index alone
        # (models.funnel_report): 100,000 leads without touching the table.
        Index(None, "lead_id", "changed_at", "id", "to_stage"),
        # With the lead and where it came from: entries into a stage in a period, and the
        # SQLs decided in one (models.kpis), without reading the table.
        Index(None, "to_stage", "changed_at", "lead_id", "from_stage"),
        # Median days in a stage: counted and picked by offset from the index.
        Index(None, "from_stage", "days_in_from_stage", "changed_at", "lead_id"),
        # Stays in a stage that ended in a period, counted without reading the table.
        Index(None, "from_stage", "changed_at", "days_in_from_stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # A lead deleted in the CRM takes its history with it (a merged one hands it over first).
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime]
    changed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(255))
    # How the change is known (models.funnel): entry, rule, rep, crm, implied or inferred.
    origin: Mapped[str | None] = mapped_column(String(12))
    # How long the lead stood in ``from_stage`` before this change, written with it.
    days_in_from_stage: Mapped[float | None] = mapped_column(Float)


class Draft(Base):
    """A form the rep has not saved yet, kept as typed so cancel or a crash loses nothing."""

    __tablename__ = "drafts"

    form: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class LeadMerge(Base):
    """One lead merged into another: the record a manager can audit. The CRM learns it as its
    REST equivalent of a merge: children re-pointed, the survivor updated, the copy deleted."""

    __tablename__ = "lead_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survivor_id: Mapped[str] = mapped_column(String(36))
    merged_id: Mapped[str] = mapped_column(String(36))
    merged_crm_id: Mapped[str | None] = mapped_column(String(18))
    merged_values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    merged_at: Mapped[datetime]
    merged_by_id: Mapped[str | None] = mapped_column(String(36))


class OpportunityChange(Base):
    """One edit of a deal's stage, amount, close date or next step: who, when, from, to.

    Local history like ``StageChange``; the edit itself reaches the CRM through the outbox,
    where Salesforce keeps its own field history.
    """

    __tablename__ = "opportunity_changes"
    __table_args__ = (Index(None, "opportunity_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id",
                                                           ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(40))
    from_value: Mapped[str | None] = mapped_column(String(255))
    to_value: Mapped[str | None] = mapped_column(String(255))
    changed_at: Mapped[datetime]
    changed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
