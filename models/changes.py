"""Change-sets: what a write changed, so every screen can decide for itself whether to refresh.

A write returns ``Changed(value, changes)``: its own result for the screen that asked, and the
kinds of record it touched (leads, touches, the outbox…) with their ids for everyone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Kind(StrEnum):
    """The kinds of record a write may change."""

    LEAD = "lead"  # a lead's fields or stage
    TOUCH = "touch"  # a call or e-mail logged (an activity)
    CADENCE = "cadence"  # a lead's next touch moved (queue membership, due time)
    HANDOFF = "handoff"
    OPPORTUNITY = "opportunity"
    ACCOUNT = "account"
    DRAFT = "draft"
    OUTBOX = "outbox"  # something waits for the CRM
    CONFLICT = "conflict"
    CATALOGUE = "catalogue"  # reason codes, templates, the team's framework
    DAY_PLAN = "day plan"  # the rep's blocks
    REFERENCE = "reference"


@dataclass(frozen=True)
class Changes:
    kinds: frozenset[Kind] = frozenset()
    records: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *kinds: Kind, records: Iterable[str | None] = ()) -> Changes:
        return cls(frozenset(kinds), frozenset(r for r in records if r))

    def touches(self, *kinds: Kind) -> bool:
        """Did this change any of ``kinds``?"""
        return not self.kinds.isdisjoint(kinds)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.kinds | other.kinds, self.records | other.records)

    def __bool__(self) -> bool:
        return bool(self.kinds)


NOTHING = Changes()
# A sync (or anything else that may touch every kind of record).
EVERYTHING = Changes(frozenset(Kind))
# What logging a touch or moving a lead's stage changes, beside the lead itself.
LEAD_WORKED = (Kind.LEAD, Kind.TOUCH, Kind.CADENCE, Kind.OUTBOX)


@dataclass(frozen=True)
class Changed(Generic[T]):
    """A write's own result and what it changed."""

    value: T
    changes: Changes = field(default=NOTHING)
