"""Every KPI of a period for a rep or the team, in one value the dashboard shows and the
digest prints: the same numbers from the same code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.funnel_report import funnel_report
from models.kpis import activity, close_rates, deals, leads, reasons
from models.kpis.ae_waterfall import ae_waterfall
from models.kpis.periods import Period, quarter_of, weeks_ending, working_days
from models.kpis.selling_time import SellingTime, selling_time
from models.kpis.targets import block_touch_target, block_touch_targets, setting, targets_for
from models.kpis.together import aside
from models.kpis.trend import TrendWeek, weekly_trend
from models.kpis.velocity import lvr_compared, lvr_label
from models.store import User
from models.vocab import Role

REP_ROLES = (Role.SDR_INBOUND.value, Role.SDR_OUTBOUND.value, Role.AE.value)
MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True)
class RepFigures:
    id: str
    email: str | None
    name: str
    role: str
    calls: int
    connects: int
    touches: int
    touches_per_day: float
    meetings: int
    pipeline_added: float
    mqls: int
    first_touch_within_24h: float | None
    median_first_touch_hours: float | None
    win_rate: float | None
    bookings: float
    sql_close_rate: float | None
    needs_coaching: bool
    aged_leads: int
    selling_planned_minutes: int = 0
    selling_done_minutes: int = 0
    selling_share: float | None = None
    targets: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Sheet:
    period: Period
    scope: str  # "team" or the rep's id
    team: dict[str, Any]
    reps: list[RepFigures]
    trend: list[TrendWeek]
    waterfall: list[dict[str, Any]]
    close_rates: list[dict[str, Any]]
    pareto: dict[str, list[reasons.ParetoBar]]
    forecast: deals.Forecast
    # False for the first numbers (``compute_figures``): no trend, waterfall, reasons or
    # forecast yet, and no SQL → opportunity (read from the waterfall).
    complete: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"week" if self.period.kind == "week" else self.period.kind: self.period.label,
                "from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
                "timezone": self.period.timezone, "scope": self.scope,
                "team": self.team, "reps": [asdict(r) for r in self.reps],
                "trend": [asdict(t) for t in self.trend], "waterfall": self.waterfall,
                "sql_close_rates": self.close_rates,
                "pareto": {k: [asdict(b) for b in v] for k, v in self.pareto.items()},
                "forecast": asdict(self.forecast)}


def scale(target: float | None, per_days: float, period: Period) -> float | None:
    """A weekly or monthly target over the period's length."""
    return None if target is None else round(target * period.days / per_days, 1)


def _people(sessions: sessionmaker[Session], rep_id: str | None) -> list[User]:
    with sessions() as session:
        query = select(User).where(User.role.in_(REP_ROLES)).order_by(User.name)
        if rep_id is not None:
            query = select(User).where(User.id == rep_id)
        people = list(session.scalars(query))
        session.expunge_all()
    return people


def _rep_targets(planned_touches: dict[str | None, float], user: User, period: Period
                 ) -> dict[str, float]:
    raw = targets_for(user.role, user.team, user.email)
    if "touches_per_day" not in raw and user.role != Role.AE:
        planned = block_touch_target(planned_touches, user.id)
        if planned:
            raw["touches_per_day"] = planned
    scaled = {"calls": scale(raw.get("calls_per_week"), 7, period),
              "meetings": scale(raw.get("meetings_per_week"), 7, period),
              "pipeline_added": scale(raw.get("pipeline_added_per_month"), MONTH_DAYS, period),
              "mqls": scale(raw.get("mqls_per_month"), MONTH_DAYS, period),
              "touches_per_day": raw.get("touches_per_day"),
              "quota": raw.get("quota_per_quarter")}
    return {k: v for k, v in scaled.items() if v is not None}


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def compute_sheet(sessions: sessionmaker[Session], period: Period, now: datetime,
                  rep_id: str | None = None, trend_weeks: int = 12) -> Sheet:
    """The period's KPIs for the rep ``rep_id``, or for the team (None). The details are read
    beside the figures: they do not depend on them."""
    details = aside(lambda: _read_details(sessions, period, now, rep_id, trend_weeks))
    return _with_details(compute_figures(sessions, period, now, rep_id), details.result())


def compute_figures(sessions: sessionmaker[Session], period: Period, now: datetime,
                    rep_id: str | None = None) -> Sheet:
    """The period's numbers, each rep's and the team's: what the screen shows first. The
    trend, waterfall, reasons and forecast come with ``add_details``."""
    owners = None if rep_id is None else [rep_id]
    # The three longest reads (a quarter's first touches, decided SQLs, aged leads) run
    # beside the others.
    first_touches = aside(lambda: _first_touches(sessions, period, owners))
    decided_later = aside(lambda: close_rates.decided_sqls(sessions, period, owners))
    aged_later = aside(lambda: leads.aged_leads(sessions, now, owners))
    people = _people(sessions, rep_id)
    calls, connects, touches = activity.activity_counts(sessions, period, owners)
    meetings = activity.meetings_set(sessions, period, owners)
    pipeline, pipeline_total = deals.pipeline_added(sessions, period, owners)
    rates = deals.win_rates(sessions, period, owners)
    team_rate = deals.team_win_rate(rates)
    selling = selling_time(sessions, period, now, [p.id for p in people])
    mqls, response, team_response = first_touches.result()
    decided = decided_later.result()
    ae_rates = close_rates.ae_close_rates(decided)
    aged = aged_later.result()
    days = max(1, working_days(period, now))
    floor = setting("ae_close_rate_floor", 0.2)
    planned_touches = block_touch_targets(sessions)
    reps: list[RepFigures] = []
    for user in people:
        sqls, won = ae_rates.get(user.id, (0, 0))
        close_rate = won / sqls if sqls else None
        mine = response.get(user.id)
        sold = selling.get(user.id, SellingTime(0, 0))
        reps.append(RepFigures(
            id=user.id, email=user.email, name=user.name, role=user.role,
            calls=calls.get(user.id, 0), connects=connects.get(user.id, 0),
            touches=touches.get(user.id, 0),
            touches_per_day=round(touches.get(user.id, 0) / days, 1),
            meetings=meetings.get(user.id, 0),
            pipeline_added=round(pipeline.get(user.id, 0.0), 2), mqls=mqls.get(user.id, 0),
            first_touch_within_24h=_pct(mine.share_within) if mine else None,
            median_first_touch_hours=round(mine.median_hours, 2)
            if mine and mine.median_hours is not None else None,
            win_rate=_pct(rates[user.id].by_count) if user.id in rates else None,
            bookings=round(rates[user.id].won_amount, 2) if user.id in rates else 0.0,
            sql_close_rate=_pct(close_rate),
            needs_coaching=user.role == Role.AE and close_rate is not None
            and close_rate < floor,
            aged_leads=aged.get(user.id, 0), selling_planned_minutes=sold.planned_minutes,
            selling_done_minutes=sold.done_minutes, selling_share=_pct(sold.share),
            targets=_rep_targets(planned_touches, user, period)))
    quota = sum(r.targets.get("quota", 0.0) for r in reps) or None
    team = {
        "calls": sum(calls.values()), "connects": sum(connects.values()),
        "touches": sum(touches.values()),
        "touches_per_day": round(sum(touches.values()) / days, 1),
        "meetings": sum(meetings.values()), "pipeline_added": round(pipeline_total, 2),
        "mqls": sum(mqls.values()), "sqls": leads.sqls_entered(sessions, period, owners),
        "first_touch_within_24h": _pct(team_response.share_within),
        "median_first_touch_hours": None if team_response.median_hours is None
        else round(team_response.median_hours, 2),
        "mqls_entered": team_response.entered,
        "win_rate": _pct(team_rate.by_count), "win_rate_by_amount": _pct(team_rate.by_amount),
        "won": team_rate.won, "lost": team_rate.lost,
        "bookings": round(team_rate.won_amount, 2),
        "sql_to_opportunity": None,  # from the waterfall (add_details)
        "lvr": None if (lvr := leads.lead_velocity_rate(sessions, period, owners, now)) is None
        else round(lvr, 1),
        "lvr_months": lvr_label(period, now),
        "lvr_compared": lvr_compared(period, now),
        "aged_leads": sum(aged.values()),
        "selling_time": _selling(reps),
        "selling_share": _selling(reps)["share"],
        "top_two_share": {
            "meetings": _pct(reasons.top_two_share(meetings)),
            "pipeline": _pct(reasons.top_two_share(pipeline)),
            "bookings": _pct(reasons.top_two_share(
                {o: r.won_amount for o, r in rates.items()}))},
        "coaching": [r.name for r in reps if r.needs_coaching],
        "targets": _team_target(reps, period) if rep_id is None
        else (reps[0].targets if reps else {}),
    }
    return Sheet(
        period=period, scope=rep_id or "team", team=team, reps=reps, trend=[], waterfall=[],
        close_rates=[{"framework": r.framework, "sqls": r.sqls, "won": r.won,
                      "rate": _pct(r.rate), "band": list(r.band) if r.band else None,
                      "verdict": r.verdict}
                     for r in close_rates.framework_close_rates(decided)],
        pareto={}, forecast=deals.Forecast(0, 0.0, 0.0, 0.0, quota), complete=False)


def _first_touches(sessions: sessionmaker[Session], period: Period,
                   owners: list[str] | None) -> tuple[dict[str, int],
                                                      dict[str, leads.ResponseTime],
                                                      leads.ResponseTime]:
    """MQLs per rep, each rep's response time and the team's, from one read."""
    hours = leads.first_touch_hours(sessions, period, owners)
    return (leads.mqls_of(hours), leads.response_times_of(hours),
            leads.response_time([h for _o, h in hours]))


@dataclass(frozen=True)
class _Details:
    is_ae: bool
    sql_to_opportunity: float | None
    waterfall: list[dict[str, Any]]
    trend: list[TrendWeek]
    pareto: dict[str, list[reasons.ParetoBar]]
    forecast: deals.Forecast


def add_details(sessions: sessionmaker[Session], sheet: Sheet, now: datetime,
                trend_weeks: int = 12) -> Sheet:
    """``sheet`` with its 12-week trend, waterfall (and so SQL → opportunity), reasons and
    the quarter's forecast."""
    rep_id = None if sheet.scope == "team" else sheet.scope
    return _with_details(sheet, _read_details(sessions, sheet.period, now, rep_id,
                                              trend_weeks))


def _with_details(sheet: Sheet, details: _Details) -> Sheet:
    to_opportunity = next((w["rate"] for w in details.waterfall
                           if (w["from"], w["to"]) == ("SQL", "Opportunity")), None)
    return replace(
        sheet, complete=True,
        team=sheet.team | {"sql_to_opportunity": to_opportunity if details.is_ae
                           else details.sql_to_opportunity},
        trend=details.trend, waterfall=details.waterfall, pareto=details.pareto,
        forecast=replace(details.forecast, quota=sheet.forecast.quota))


def _is_ae(sessions: sessionmaker[Session], rep_id: str | None) -> bool:
    if rep_id is None:
        return False
    with sessions() as session:
        return session.scalar(select(User.role).where(User.id == rep_id)) == Role.AE


def _read_details(sessions: sessionmaker[Session], period: Period, now: datetime,
                  rep_id: str | None, trend_weeks: int) -> _Details:
    owners = None if rep_id is None else [rep_id]
    report = funnel_report(sessions, period.start, period.end, owners, with_close_rates=False)
    sql_to_opp = report.conversion("SQL", "Opportunity")
    # An AE owns no leads: their waterfall is that of the leads handed to them.
    is_ae = _is_ae(sessions, rep_id)
    last_day = period.first_day + timedelta(days=period.days - 1)
    quarter = quarter_of(last_day, period.timezone)
    waterfall = ae_waterfall(sessions, period, rep_id) if is_ae and rep_id else [
        {"from": c.from_stage, "to": c.to_stage, "entered": c.entered,
         "converted": c.converted, "rate": _pct(c.rate),
         "median_days_in_from": next((s.median_days_in_stage for s in report.stages
                                      if s.stage == c.from_stage), None)}
        for c in report.conversions]
    return _Details(
        is_ae=is_ae, sql_to_opportunity=_pct(sql_to_opp.rate) if sql_to_opp else None,
        waterfall=waterfall, trend=_trend(sessions, period, now, owners, trend_weeks),
        pareto={**{kind: reasons.pareto(counts) for kind, counts in
                   reasons.reason_counts(sessions, period, owners).items()},
                "competitors": reasons.pareto(reasons.competitor_counts(sessions, period,
                                                                        owners))},
        forecast=deals.forecast(sessions, quarter.first_day,
                                quarter.first_day + timedelta(days=quarter.days - 1),
                                owners, None))


def _team_target(reps: list[RepFigures], period: Period) -> dict[str, float]:
    """The team's target: its reps' targets summed (each already overridden per team)."""
    summed: dict[str, float] = {}
    for rep in reps:
        for key in ("calls", "meetings", "pipeline_added", "mqls", "quota", "touches_per_day"):
            if key in rep.targets:
                summed[key] = summed.get(key, 0.0) + rep.targets[key]
    return summed


def _selling(reps: list[RepFigures]) -> dict[str, Any]:
    planned = sum(r.selling_planned_minutes for r in reps)
    done = sum(r.selling_done_minutes for r in reps)
    return {"planned_minutes": planned, "done_minutes": done,
            "share": _pct(done / planned) if planned else None}


def _trend(sessions: sessionmaker[Session], period: Period, now: datetime,
           owners: list[str] | None, count: int) -> list[TrendWeek]:
    return weekly_trend(sessions, weeks_ending(period, count, now) if count else [], owners)
