"""The waterfall: how many leads entered each stage in a period, how many of them went on to
each next stage, how long they stayed, and each framework's SQL close rate against its band.

Conversion is a cohort measure (DOMAIN.md): of the leads that entered X in the period (their
first entry in it), the share that entered Y at that moment or later, ever. Days in stage are
those of the stays that ended in the period: from entering a stage to the lead's next change.
SQLite reads each lead's path (its stages in order, as letters) from one index and groups the
leads by path, a dozen paths for 100,000 leads; Python counts over the paths. Medians are
picked from another index by offset.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from models.funnel_config import (
    FunnelStageSpec,
    HandoffMapping,
    close_rate_band,
    handoff_mapping,
    waterfall,
)

NOT_RECORDED = "(not recorded)"
_ALL_TIME = ("0001-01-01 00:00:00", "9999-12-31 23:59:59")


@dataclass(frozen=True)
class StageFigure:
    stage: str
    kind: str
    entered: int
    median_days_in_stage: float | None


@dataclass(frozen=True)
class ConversionFigure:
    from_stage: str
    to_stage: str
    entered: int
    converted: int

    @property
    def rate(self) -> float | None:
        return self.converted / self.entered if self.entered else None


@dataclass(frozen=True)
class CloseRate:
    """Of a group of SQLs qualified with ``framework``, the share that closed won (seed 003):
    the funnel counts the SQLs that entered its window, the KPIs those decided in the period
    (``models.kpis.close_rates``)."""

    framework: str
    sqls: int
    won: int
    band: tuple[float, float] | None

    @property
    def rate(self) -> float | None:
        return self.won / self.sqls if self.sqls else None

    @property
    def verdict(self) -> str | None:
        if self.rate is None or self.band is None:
            return None
        low, high = self.band
        return "below" if self.rate < low else "above" if self.rate > high else "within"


@dataclass(frozen=True)
class FunnelReport:
    start: datetime | None
    end: datetime | None
    mapping: str
    stages: tuple[StageFigure, ...]
    conversions: tuple[ConversionFigure, ...]
    close_rates: tuple[CloseRate, ...]

    def conversion(self, from_stage: str, to_stage: str) -> ConversionFigure | None:
        return next((c for c in self.conversions
                     if (c.from_stage, c.to_stage) == (from_stage, to_stage)), None)

    def to_json(self) -> dict[str, Any]:
        def pct(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "handoff_mapping": self.mapping,
            "stages": [{"stage": s.stage, "kind": s.kind, "entered": s.entered,
                        "median_days_in_stage": s.median_days_in_stage} for s in self.stages],
            "conversions": [{"from": c.from_stage, "to": c.to_stage, "entered": c.entered,
                             "converted": c.converted, "rate": pct(c.rate)}
                            for c in self.conversions],
            "sql_close_rates": [
                {"framework": r.framework, "sqls": r.sqls, "won": r.won, "rate": pct(r.rate),
                 "expected": list(r.band) if r.band else None, "verdict": r.verdict}
                for r in self.close_rates],
        }


def conversion_pairs(specs: Sequence[FunnelStageSpec], mapping: HandoffMapping
                     ) -> list[tuple[str, str]]:
    """Each step to the next, the last step to each outcome, the qualified stage to Closed
    Won (the SQL close rate) and MQL to each exit."""
    steps = [s.stage for s in specs if s.kind == "step"]
    outcomes = [s.stage for s in specs if s.kind == "outcome"]
    exits = [s.stage for s in specs if s.kind == "exit"]
    pairs = list(pairwise(steps))
    pairs += [(steps[-1], outcome) for outcome in outcomes]
    if outcomes and (qualified := _sql_stage(steps)) != steps[-1]:
        pairs.append((qualified, outcomes[0]))
    source = "MQL" if "MQL" in steps else steps[0]
    pairs += [(source, exit_) for exit_ in exits]
    return pairs


def _sql_stage(steps: Sequence[str]) -> str:
    return "SQL" if "SQL" in steps else steps[-1]


def _text_time(moment: datetime | None, default: str) -> str:
    if moment is None:
        return default
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _scope(owner_ids: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    """The leads counted: a query of their ids ("" for everyone's), and its parameters."""
    if owner_ids is None:
        return "", {}
    names = {f"owner{i}": owner for i, owner in enumerate(owner_ids)}
    listed = ", ".join(f":{name}" for name in names) or "NULL"
    return f"SELECT id AS lead_id FROM leads WHERE owner_id IN ({listed})", names


def _letters(stages: Sequence[str]) -> dict[str, str]:
    return {stage: chr(ord("a") + i) for i, stage in enumerate(stages)}


def _paths(session: Session, stages: Sequence[str], params: dict[str, Any], scope: str,
           qualified_only: bool = False) -> list[tuple[str | None, str, int]]:
    """(framework, path, leads): each lead's stages in order as letters, upper case for an
    entry inside the period; the framework of its latest A or B qualification when
    ``qualified_only``. A dozen distinct paths stand for 100,000 leads."""
    letters = _letters(stages)
    # All time, every entry is in the period: no per-row date test (a tenth of the report's
    # CPU on 100,000 leads).
    all_time = params["start"] == _ALL_TIME[0] and params["end"] == _ALL_TIME[1]
    cases = " ".join(f"WHEN :st{i} THEN '{letter.upper()}'" if all_time else
                     f"WHEN :st{i} THEN iif(s.changed_at >= :start AND s.changed_at < :end, "
                     f"'{letter.upper()}', '{letter}')"
                     for i, letter in enumerate(letters.values()))
    params |= {f"st{i}": stage for i, stage in enumerate(stages)}
    qualified = "SELECT DISTINCT lead_id FROM qualifications WHERE category IN ('A', 'B')"
    driver = qualified if qualified_only else scope
    if qualified_only and scope:
        driver += f" AND lead_id IN ({scope})"
    # The index (lead_id, changed_at, id, to_stage) hands each lead's changes over in the
    # order they happened, so group_concat strings them in that order; a smaller set of
    # leads (a rep's, the qualified ones) drives the search of it (CROSS JOIN keeps that
    # order of the join).
    source = "stage_changes AS s INDEXED BY ix_stage_changes_lead_id_changed_at_id_to_stage"
    if driver:
        source = f"({driver} ORDER BY lead_id) AS d CROSS JOIN {source} " \
                 "ON s.lead_id = d.lead_id"
    per_lead = f"""
        SELECT s.lead_id AS lead_id, group_concat(CASE s.to_stage {cases} ELSE '' END, '')
               AS path
        FROM {source} GROUP BY {"d" if driver else "s"}.lead_id"""
    if not qualified_only:
        query = f"SELECT NULL, path, COUNT(*) FROM ({per_lead}) GROUP BY path"
    else:
        query = f"""
            WITH q AS (SELECT lead_id, framework, MAX(qualified_at) FROM qualifications
                       WHERE category IN ('A', 'B') GROUP BY lead_id)
            SELECT q.framework, p.path, COUNT(*) FROM ({per_lead}) AS p
            JOIN q ON q.lead_id = p.lead_id GROUP BY q.framework, p.path"""
    return [(f, p, n) for f, p, n in session.execute(text(query), params)]


def _went_on(path: str, first: str, then: str) -> bool:
    """Whether a lead with ``path`` entered ``first`` in the period and ``then`` after."""
    at = path.find(first.upper())
    return at >= 0 and then.lower() in path[at + 1:].lower()


def _median(session: Session, stage: str, params: dict[str, Any]) -> float | None:
    """The median of the team's stays in ``stage`` that ended in the period, picked by offset
    from the index (from_stage, days_in_from_stage, changed_at, lead_id), not sorted here."""
    where = """FROM stage_changes AS s WHERE s.from_stage = :stage
               AND s.days_in_from_stage IS NOT NULL
               AND s.changed_at >= :start AND s.changed_at < :end"""
    params = dict(params, stage=stage)
    count = session.execute(text(f"SELECT COUNT(*) {where}"), params).scalar_one()
    if not count:
        return None
    pick = text(f"SELECT s.days_in_from_stage {where} ORDER BY s.days_in_from_stage "
                "LIMIT 1 OFFSET :offset")
    middle = [float(session.execute(pick, dict(params, offset=offset)).scalar_one())
              for offset in {(count - 1) // 2, count // 2}]
    return round(sum(middle) / len(middle), 2)


def _medians(session: Session, stages: Sequence[str], params: dict[str, Any], scope: str
             ) -> dict[str, float | None]:
    if not scope:
        return {stage: _median(session, stage, params) for stage in stages}
    # A rep's leads are a few thousand: their stays are read through the lead index.
    stays: dict[str, list[float]] = defaultdict(list)
    for stage, days in session.execute(text(f"""
            SELECT s.from_stage, s.days_in_from_stage
            FROM ({scope}) AS d CROSS JOIN stage_changes AS s
                 INDEXED BY ix_stage_changes_lead_id_changed_at_id_to_stage
                 ON s.lead_id = d.lead_id
            WHERE s.days_in_from_stage IS NOT NULL AND s.changed_at >= :start
              AND s.changed_at < :end"""), params):
        stays[stage].append(days)
    return {stage: round(statistics.median(stays[stage]), 2) if stays[stage] else None
            for stage in stages}


def _close_rates(rows: Sequence[tuple[str | None, str, int]], sql: str, won: str | None,
                 all_sqls: int, all_won: int) -> tuple[CloseRate, ...]:
    """Per framework, from the qualified leads' paths (``sql`` and ``won``: the stages'
    letters); SQLs with no qualification recorded here (older or pulled) are counted apart."""
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for framework, path, leads in rows:
        if sql.upper() in path:
            counted[framework or NOT_RECORDED][0] += leads
            counted[framework or NOT_RECORDED][1] += leads if won and _went_on(
                path, sql, won) else 0
    unknown = (all_sqls - sum(c[0] for c in counted.values()),
               all_won - sum(c[1] for c in counted.values()))
    if unknown[0]:
        counted[NOT_RECORDED] = [unknown[0], unknown[1]]
    return tuple(CloseRate(framework, sqls, won_count,
                           None if framework == NOT_RECORDED else close_rate_band(framework))
                 for framework, (sqls, won_count) in sorted(counted.items()))


def funnel_report(sessions: sessionmaker[Session], start: datetime | None = None,
                  end: datetime | None = None, owner_ids: Sequence[str] | None = None
                  ) -> FunnelReport:
    """The waterfall of the leads owned by ``owner_ids`` (everyone's if None), counting
    stage entries from ``start`` (inclusive) to ``end`` (exclusive)."""
    scope, params = _scope(owner_ids)
    params |= {"start": _text_time(start, _ALL_TIME[0]),
               "end": _text_time(end, _ALL_TIME[1])}
    with sessions() as session:
        mapping = handoff_mapping(session)
        specs = waterfall(mapping)
        stages = [s.stage for s in specs]
        pairs = conversion_pairs(specs, mapping)
        outcomes = [s.stage for s in specs if s.kind == "outcome"]
        sql_stage = _sql_stage([s.stage for s in specs if s.kind == "step"])
        letters = _letters(stages)
        paths = _paths(session, stages, dict(params), scope)
        qualified = _paths(session, stages, dict(params), scope, qualified_only=True)
        medians = _medians(session, stages, params, scope)
    entered = {stage: sum(n for _f, p, n in paths if letters[stage].upper() in p)
               for stage in stages}
    converted = {(a, b): sum(n for _f, p, n in paths if _went_on(p, letters[a], letters[b]))
                 for a, b in pairs}
    won = outcomes[0] if outcomes else None
    close_rates = _close_rates(
        qualified, letters[sql_stage], letters[won] if won else None, entered[sql_stage],
        converted.get((sql_stage, won), 0) if won else 0)
    return FunnelReport(
        start=start, end=end, mapping=mapping.name,
        stages=tuple(StageFigure(s.stage, s.kind, entered[s.stage], medians[s.stage])
                     for s in specs),
        conversions=tuple(ConversionFigure(a, b, entered[a], converted[(a, b)])
                          for a, b in pairs),
        close_rates=close_rates)
