"""The outbox folded for sending: one change per record, and what a push did."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.store import OutboxEntry


@dataclass
class Change:
    """All pending entries of one record, folded into one operation."""

    table: str
    record_id: str
    op: str  # "create", "update" or "delete"
    fields: dict[str, Any] = field(default_factory=dict)
    base: dict[str, Any] = field(default_factory=dict)
    seqs: list[int] = field(default_factory=list)
    # Field → values sent in create attempts whose answer never came (see in_doubt).
    sent: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class PushReport:
    sent: int = 0
    already_there: int = 0
    conflicts: int = 0
    failed: int = 0
    waiting: int = 0
    looked_up: int = 0  # creates in doubt, looked up by external id
    emails_sent: int = 0
    emails_unsure: int = 0


def coalesce(entries: Sequence[OutboxEntry], table_of: Callable[[str], str | None]
             ) -> list[Change]:
    changes: dict[str, Change] = {}
    for entry in entries:
        table = table_of(entry.object)
        if table is None:
            continue
        change = changes.get(entry.record_id)
        if change is None:
            change = changes[entry.record_id] = Change(table, entry.record_id, entry.op)
        elif entry.op == "delete":
            change.op = "delete"
        change.seqs.append(entry.seq)
        for key, value in entry.fields.items():
            change.fields[key] = value
        for key, value in entry.base.items():
            change.base.setdefault(key, value)
        for key, values in (entry.sent or {}).items():
            known = change.sent.setdefault(key, [])
            known.extend(v for v in values if v not in known)
    return list(changes.values())
