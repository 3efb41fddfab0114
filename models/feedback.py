"""Product feedback for product management: requested features and competitors, counted
across qualification and close forms."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.store import Opportunity, Qualification


@dataclass(frozen=True)
class FeedbackCounts:
    features: tuple[tuple[str, int], ...]
    competitors: tuple[tuple[str, int], ...]
    competitive_notes: tuple[str, ...]


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _count(values: list[str]) -> tuple[tuple[str, int], ...]:
    """Counted case- and space-insensitively, shown as first typed."""
    shown: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for value in values:
        if value and value.strip():
            key = _key(value)
            shown.setdefault(key, " ".join(value.split()))
            counts[key] += 1
    return tuple((shown[k], n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def product_feedback(sessions: sessionmaker[Session]) -> FeedbackCounts:
    with sessions() as session:
        features: list[str] = []
        competitors: list[str] = []
        notes: list[str] = []
        for requested, named, info in session.execute(select(
                Qualification.requested_features, Qualification.competitors,
                Qualification.competitive_info)).tuples():
            features += list(requested or [])
            competitors += list(named or [])
            if info:
                notes.append(info)
        for requested, competitor in session.execute(select(
                Opportunity.requested_features, Opportunity.competitor).where(
                Opportunity.is_closed.is_(True))).tuples():
            features += list(requested or [])
            if competitor:
                competitors.append(competitor)
    return FeedbackCounts(_count(features), _count(competitors), tuple(notes[-50:]))
