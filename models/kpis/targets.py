"""KPI targets as data (``resources/kpi_targets.json``): per role, overridden per team, then per
rep (by e-mail). Each target is tied to its seed in the README."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.store import DayBlock
from resources import load_json

TARGETS_FILE = "kpi_targets.json"


@cache
def load_targets() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json(TARGETS_FILE)
    return loaded


def setting(name: str, default: float) -> float:
    value = load_targets().get(name, default)
    return float(value) if isinstance(value, int | float) else default


def targets_for(role: str | None, team: str | None = None,
                email: str | None = None) -> dict[str, float]:
    """The rep's targets: the role's, then the team's overrides, then the rep's own."""
    data = load_targets()
    merged: dict[str, float] = {}
    layers = [data.get("roles", {}).get(role or "", {}),
              data.get("teams", {}).get(team or "", {}),
              data.get("reps", {}).get((email or "").casefold(), {})]
    for layer in layers:
        merged.update({k: float(v) for k, v in layer.items() if isinstance(v, int | float)})
    return merged


def block_touch_targets(sessions: sessionmaker[Session]) -> dict[str | None, float]:
    """Touches a day each day plan asks for: the call and e-mail blocks' targets summed per
    rep, the team default under None; one grouped query for every rep at once."""
    with sessions() as session:
        rows = session.execute(
            select(DayBlock.rep_id, func.sum(DayBlock.target))
            .where(DayBlock.weekday.is_(None), DayBlock.kind.in_(("calls", "e-mail")))
            .group_by(DayBlock.rep_id)).all()
    return {rep: float(total) for rep, total in rows if total}


def block_touch_target(planned: dict[str | None, float], rep_id: str) -> float | None:
    """The rep's touches a day from ``block_touch_targets``: the rep's own blocks, else the
    team default."""
    return planned.get(rep_id) or planned.get(None)
