"""The waterfall: how many leads entered each stage in a period, how many of them went on to
each next stage, how long they stayed, and each framework's SQL close rate against its band.

Conversion is a cohort measure (DOMAIN.md): of the leads that entered X in the period (their
first entry in it), the share that entered Y at that moment or later, ever. Days in stage are
those of the stays that ended in the period: from entering a stage to the lead's next change.
The store keeps each stage change as an entry with the lead's previous entry into the same
stage and the stages it entered after (models.store.kpi_rollups.StageEntry, kept by
triggers): a lead's first entry in the period is the one whose previous entry lies before
it, so each count is a range of one index, not a walk of every lead's path. Medians are
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


def _entered(session: Session, stages: Sequence[str], targets: Sequence[str],
             params: dict[str, Any], owner_ids: Sequence[str] | None
             ) -> dict[str, tuple[int, dict[str, int]]]:
    """Per stage: the leads that entered it in the period, and of those how many entered
    each of ``targets`` after their first entry in it. Counted over the stage entries the
    store keeps (models.store.kpi_rollups): a lead's first entry in the period is the one
    whose previous entry into the stage came before the period, and its ``later`` lists the
    stages the lead entered after it, ever. SQLite counts them per stage and ``later`` in
    the order of its index (a few dozen groups, no sort); Python adds the groups up."""
    names = {f"st{i}": stage for i, stage in enumerate(stages)}
    where = [f"stage IN ({', '.join(f':{name}' for name in names)})",
             "entered_at >= :start", "entered_at < :end",
             "(previous_at IS NULL OR previous_at < :start)"]
    bound = dict(params) | names
    if owner_ids is not None:
        owners = {f"owner{i}": owner for i, owner in enumerate(owner_ids)}
        where.append(f"owner_id IN ({', '.join(f':{name}' for name in owners) or 'NULL'})")
        bound |= owners
    counted = {stage: (0, dict.fromkeys(targets, 0)) for stage in stages}
    for stage, later, leads in session.execute(text(f"""
            SELECT stage, later, COUNT(*) FROM stage_entries WHERE {' AND '.join(where)}
            GROUP BY stage, later"""), bound):
        after = set(later.split(","))
        entered, converted = counted[stage]
        counted[stage] = (entered + leads, {target: n + leads if target in after else n
                                            for target, n in converted.items()})
    return counted


def _framework_counts(session: Session, sql: str, won: str | None, params: dict[str, Any],
                      owner_ids: Sequence[str] | None) -> dict[str, list[int]]:
    """Per framework of the lead's latest A or B qualification: the leads that entered
    ``sql`` in the period and those of them that went on to ``won``."""
    bound = dict(params, sql=sql, won=f",{won}," if won else "")
    where = ["e.stage = :sql", "e.entered_at >= :start", "e.entered_at < :end",
             "(e.previous_at IS NULL OR e.previous_at < :start)"]
    if owner_ids is not None:
        owners = {f"owner{i}": owner for i, owner in enumerate(owner_ids)}
        where.append(f"e.owner_id IN ({', '.join(f':{name}' for name in owners) or 'NULL'})")
        bound |= owners
    rows = session.execute(text(f"""
        WITH q AS (SELECT lead_id, framework, MAX(qualified_at) FROM qualifications
                   WHERE category IN ('A', 'B') GROUP BY lead_id)
        SELECT q.framework, COUNT(*), SUM(:won != '' AND instr(e.later, :won) > 0)
        FROM stage_entries AS e JOIN q ON q.lead_id = e.lead_id
        WHERE {' AND '.join(where)} GROUP BY q.framework"""), bound)
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for framework, sqls, went_on in rows:
        counted[framework or NOT_RECORDED][0] += sqls
        counted[framework or NOT_RECORDED][1] += went_on or 0
    return counted


def _median(session: Session, stage: str, params: dict[str, Any]) -> float | None:
    """The median of the team's stays in ``stage`` that ended in the period: counted on the
    index (from_stage, changed_at, days_in_from_stage), then the middle one or two picked by
    offset from the index (from_stage, days_in_from_stage, changed_at, lead_id), not sorted
    here."""
    where = """FROM stage_changes AS s {} WHERE s.from_stage = :stage
               AND s.days_in_from_stage IS NOT NULL
               AND s.changed_at >= :start AND s.changed_at < :end"""
    params = dict(params, stage=stage)
    count = session.execute(text("SELECT COUNT(*) " + where.format(
        "INDEXED BY ix_stage_changes_from_stage_changed_at_days_in_from_stage")),
        params).scalar_one()
    if not count:
        return None
    pick = text("SELECT s.days_in_from_stage " + where.format(
        "INDEXED BY ix_stage_changes_from_stage_days_in_from_stage_changed_at_lead_id")
        + " ORDER BY s.days_in_from_stage LIMIT :picked OFFSET :offset")
    middle = [float(days) for days in session.execute(
        pick, dict(params, offset=(count - 1) // 2, picked=2 - count % 2)).scalars()]
    return round(sum(middle) / len(middle), 2)


def _medians(session: Session, stages: Sequence[str], params: dict[str, Any],
             owner_ids: Sequence[str] | None) -> dict[str, float | None]:
    if owner_ids is None:
        return {stage: _median(session, stage, params) for stage in stages}
    # A rep's changes in the period are found from their stage entries (the lead's rep is
    # kept there), and each read by its id: a few thousand, not every change of their leads.
    owners = {f"owner{i}": owner for i, owner in enumerate(owner_ids)}
    stays: dict[str, list[float]] = defaultdict(list)
    for stage, days in session.execute(text(f"""
            SELECT s.from_stage, s.days_in_from_stage
            FROM stage_entries AS e JOIN stage_changes AS s ON s.id = e.change_id
            WHERE e.owner_id IN ({', '.join(f':{name}' for name in owners) or 'NULL'})
              AND e.entered_at >= :start AND e.entered_at < :end
              AND s.days_in_from_stage IS NOT NULL"""),
            params | owners):
        stays[stage].append(days)
    return {stage: round(statistics.median(stays[stage]), 2) if stays[stage] else None
            for stage in stages}


def _close_rates(counted: dict[str, list[int]], all_sqls: int, all_won: int
                 ) -> tuple[CloseRate, ...]:
    """Per framework (``_framework_counts``); SQLs with no qualification recorded here
    (older or pulled) are counted apart."""
    unknown = (all_sqls - sum(c[0] for c in counted.values()),
               all_won - sum(c[1] for c in counted.values()))
    if unknown[0]:
        counted[NOT_RECORDED] = [unknown[0], unknown[1]]
    return tuple(CloseRate(framework, sqls, won_count,
                           None if framework == NOT_RECORDED else close_rate_band(framework))
                 for framework, (sqls, won_count) in sorted(counted.items()))


def funnel_report(sessions: sessionmaker[Session], start: datetime | None = None,
                  end: datetime | None = None, owner_ids: Sequence[str] | None = None,
                  with_close_rates: bool = True) -> FunnelReport:
    """The waterfall of the leads owned by ``owner_ids`` (everyone's if None), counting
    stage entries from ``start`` (inclusive) to ``end`` (exclusive). The close rates per
    framework are left out (empty) when not ``with_close_rates``."""
    params = {"start": _text_time(start, _ALL_TIME[0]), "end": _text_time(end, _ALL_TIME[1])}
    with sessions() as session:
        mapping = handoff_mapping(session)
        specs = waterfall(mapping)
        stages = [s.stage for s in specs]
        pairs = conversion_pairs(specs, mapping)
        outcomes = [s.stage for s in specs if s.kind == "outcome"]
        won = outcomes[0] if outcomes else None
        sql_stage = _sql_stage([s.stage for s in specs if s.kind == "step"])
        counted = _entered(session, stages, list(dict.fromkeys(b for _a, b in pairs)),
                           params, owner_ids)
        frameworks = _framework_counts(session, sql_stage, won, params,
                                       owner_ids) if with_close_rates else None
        medians = _medians(session, stages, params, owner_ids)
    entered = {stage: counted[stage][0] for stage in stages}
    converted = {(a, b): counted[a][1][b] for a, b in pairs}
    close_rates = () if frameworks is None else _close_rates(
        frameworks, entered[sql_stage], converted.get((sql_stage, won), 0) if won else 0)
    return FunnelReport(
        start=start, end=end, mapping=mapping.name,
        stages=tuple(StageFigure(s.stage, s.kind, entered[s.stage], medians[s.stage])
                     for s in specs),
        conversions=tuple(ConversionFigure(a, b, entered[a], converted[(a, b)])
                          for a, b in pairs),
        close_rates=close_rates)
