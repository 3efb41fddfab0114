"""The outbox: every local edit of a synced row, waiting to be pushed to the CRM."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base


class OutboxEntry(Base):
    """One edit of one record: the fields it changed, with their new and their base values.

    Written in the same transaction as the edit itself (see ``models.store.tracking``), so a
    crash leaves both or neither. ``base`` holds what the CRM had when the rep started editing,
    which is what the push compares the server's current values with.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "state", "seq"), Index(None, "object", "record_id"))

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    object: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36))
    # "create", "update" or "delete".
    op: Mapped[str] = mapped_column(String(10))
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    base: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    # "pending" until the CRM acknowledged it ("done") or refused it for good ("failed").
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Local field → the values sent in create attempts whose answer never came back, written
    # before each attempt leaves. While the entry is pending, the create may have reached the
    # CRM: it is looked up there before anything is sent again, and these are its base.
    sent: Mapped[dict[str, Any] | None]


class SyncState(Base):
    """Per CRM object: how far the pull got, so an interrupted sync resumes there."""

    __tablename__ = "sync_state"

    object: Mapped[str] = mapped_column(String(40), primary_key=True)
    watermark: Mapped[datetime | None]
    last_pull_at: Mapped[datetime | None]
    last_push_at: Mapped[datetime | None]
    # Our clock when the CRM last told us everything it had removed (its deletion log, a full
    # comparison of ids, or a first pull): the next deletion check starts there.
    deletions_through: Mapped[datetime | None]
    # When every local id was last compared with the CRM's (after more than 15 days offline).
    reconciled_at: Mapped[datetime | None]
