"""Whose figures: a list of rep ids, or None for the whole team."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

Owners = Sequence[str] | None


def owned(column: InstrumentedAttribute[str | None] | ColumnElement[str | None],
          owners: Owners) -> ColumnElement[bool]:
    """Rows of those reps; for the team, every row that has a rep at all."""
    return column.is_not(None) if owners is None else column.in_(list(owners))
