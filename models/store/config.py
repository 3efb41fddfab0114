"""Team configuration kept as data: reason codes, personas, cadences and the day's blocks.

These rows are local settings (filled from resources/ and, later, from the CRM's picklists);
they are not pushed to the CRM, so they carry no sync columns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base


class ReasonCode(Base):
    """One entry of the uniform reason catalogue, filed with a category or a close outcome."""

    __tablename__ = "reason_codes"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    # A, B, C, D for qualification; "won", "lost" for closing; "reject" for hand-offs.
    applies_to: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Persona(Base):
    """A buyer persona: which title levels and job functions it covers, and how to talk to it."""

    __tablename__ = "personas"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    priority: Mapped[int] = mapped_column(Integer)
    title_levels: Mapped[list[Any]] = mapped_column(default=list)
    job_functions: Mapped[list[Any]] = mapped_column(default=list)
    talk_track: Mapped[str] = mapped_column(Text, default="")


class Cadence(Base):
    __tablename__ = "cadences"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class CadenceStep(Base):
    """One touch of a cadence: a channel, due some hours after an anchor event."""

    __tablename__ = "cadence_steps"

    cadence_key: Mapped[str] = mapped_column(ForeignKey("cadences.key"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    # "lead_created", "previous_attempt" or "trial_expiry".
    anchor: Mapped[str] = mapped_column(String(20))
    offset_hours: Mapped[int] = mapped_column(Integer)
    window_hours: Mapped[int] = mapped_column(Integer, default=24)
    template_name: Mapped[str | None] = mapped_column(String(120))


class DayBlock(Base):
    """One block of a rep's day. Rows without a rep or weekday are the team default."""

    __tablename__ = "day_blocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rep_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    weekday: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column(Integer)
    target: Mapped[int | None] = mapped_column(Integer)


class BlockRun(Base):
    """When a rep actually started and ended one block of a day, so an overrun reflows the rest."""

    __tablename__ = "block_runs"

    rep_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class Setting(Base):
    """A local, non-secret preference (the CRM's address, the signed-in rep...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, default=None)
