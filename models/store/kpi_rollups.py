"""What the KPIs read instead of scanning history, kept by the store itself: triggers
(migration 0014_kpi_indexes) keep these tables right whichever path wrote the history (a
touch logged, a sync pull, a bulk load, a lead reassigned)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base


class ActivityHour(Base):
    """Calls, connects and touches per rep and UTC hour. A quarter's calls for the team are a
    few thousand rows, not half a million activities; a period whose bounds fall inside an
    hour (a timezone a half hour off UTC) is read from the activities instead."""

    __tablename__ = "activity_hours"

    # The stored text's first 13 characters: "2026-11-23 09" (UTC).
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    connects: Mapped[int] = mapped_column(Integer, default=0)
    touches: Mapped[int] = mapped_column(Integer, default=0)


class MqlEntry(Base):
    """Each entry of a lead into MQL, with the lead's rep and its first call or e-mail at or
    after the entry: the response-time KPI read as one row a lead instead of a search of its
    activities. Kept by triggers (migration 0014_kpi_indexes, 0016_kpi_paths) on
    stage_changes, activities and leads: an entry recorded, a touch logged, moved or removed,
    a lead reassigned."""

    __tablename__ = "mql_entries"
    __table_args__ = (
        Index(None, "entered_at", "owner_id", "first_touch_at", "previous_at"),
        Index(None, "owner_id", "entered_at", "first_touch_at", "previous_at"),
        Index(None, "lead_id", "entered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lead_id: Mapped[str] = mapped_column(String(36))
    owner_id: Mapped[str | None] = mapped_column(String(36))
    entered_at: Mapped[datetime]
    first_touch_at: Mapped[datetime | None]
    # The lead's previous entry into MQL (order: entered_at, then id), kept by the triggers
    # (migration 0016_kpi_paths): its first entry in a period is the one whose previous entry
    # lies before the period.
    previous_at: Mapped[datetime | None]


class StageEntry(Base):
    """Each stage change as an entry into its stage, with what the waterfall needs from the
    rest of the lead's path: the lead's previous entry into the same stage and the stages it
    entered after this one (",SQL,Opportunity,"), in path order (changed_at, then id). A
    period's waterfall counts these rows (models.funnel_report) instead of reading every
    lead's path. Kept by triggers (migration 0016_kpi_paths) on stage_changes and leads."""

    __tablename__ = "stage_entries"
    __table_args__ = (
        # Grouped by stage and what came after in index order: a period's waterfall is one
        # pass over the entries with no sort, whatever the period.
        Index(None, "stage", "later", "entered_at", "previous_at"),
        Index(None, "owner_id", "stage", "later", "entered_at", "previous_at"),
        Index(None, "lead_id", "entered_at", "stage"),
    )

    # The stage change's id.
    change_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lead_id: Mapped[str] = mapped_column(String(36))
    owner_id: Mapped[str | None] = mapped_column(String(36))
    stage: Mapped[str] = mapped_column(String(20))
    entered_at: Mapped[datetime]
    previous_at: Mapped[datetime | None]
    later: Mapped[str] = mapped_column(String(255))


class StageEntriesPause(Base):
    """A row here pauses the triggers that keep ``stage_entries`` for new stage changes. It
    is written and removed inside one writer's transaction (no other connection ever sees
    it), by a writer that adds whole histories and fills their entries in one pass
    (models.store.stage_entries_fill)."""

    __tablename__ = "stage_entries_paused"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
