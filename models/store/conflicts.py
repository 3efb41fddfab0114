"""Fields edited both here and in the CRM since they last agreed: never overwritten."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base


class SyncConflict(Base):
    __tablename__ = "sync_conflicts"
    __table_args__ = (Index(None, "resolved_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    base: Mapped[Any] = mapped_column(JSON, nullable=True)
    mine: Mapped[Any] = mapped_column(JSON, nullable=True)
    theirs: Mapped[Any] = mapped_column(JSON, nullable=True)
    found_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # "mine", "theirs" or "edited".
    resolution: Mapped[str | None] = mapped_column(String(10))
