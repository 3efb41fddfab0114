"""The digest's charts as PNG images: the 12-week trends of calls and meetings against their
weekly target, and the waterfall's consecutive steps; the same figures the dashboard draws."""

from __future__ import annotations

from base64 import b64encode
from dataclasses import dataclass
from typing import Any

from models.kpis.png_chart import Bar, bar_chart, column_chart
from models.kpis.sheet import Sheet

# The waterfall's exits and the SQL → won shortcut are in its table, not its chart.
NOT_STEPS = ("nurture", "disqualified", "Closed Lost")


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    alt: str  # the chart's figures in words, for a reader that shows no images
    png: bytes

    def data_uri(self) -> str:
        return "data:image/png;base64," + b64encode(self.png).decode("ascii")


def consecutive(waterfall: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The waterfall's consecutive steps (each stage to the next), not the exits."""
    return [w for w in waterfall if w["to"] not in NOT_STEPS
            and not (w["from"] == "SQL" and w["to"] == "Closed Won")]


def weekly_targets(sheet: Sheet) -> dict[str, float | None]:
    """The period's calls and meetings targets for one week, as the trend's lines."""
    targets = sheet.team.get("targets", {})
    weeks = sheet.period.days / 7
    return {k: None if k not in targets else round(targets[k] / weeks, 1)
            for k in ("calls", "meetings")}


def _short(value: float) -> str:
    return f"{value / 1000:.1f}K" if value >= 1000 else f"{value:,.0f}"


def _trend(sheet: Sheet, key: str, title: str, target: float | None) -> Chart:
    values = [(t.week, getattr(t, key)) for t in sheet.trend]
    label = f"{title} (target {_short(target)})" if target is not None else title
    return Chart(key, label, "; ".join(f"{week}: {value:,}" for week, value in values),
                 column_chart(label, [Bar(week[-2:], value, _short(value))
                                      for week, value in values], target))


def digest_charts(sheet: Sheet) -> list[Chart]:
    targets = weekly_targets(sheet)
    steps = [(f"{w['from']}>{w['to']}".replace("Opportunity", "Opp").replace("Closed ", ""),
              w["rate"]) for w in consecutive(sheet.waterfall)]
    shown = [(label, rate, "-" if rate is None else f"{rate:.0%}") for label, rate in steps]
    charts = [_trend(sheet, "calls", "Calls a week", targets["calls"]),
              _trend(sheet, "meetings", "Meetings set a week", targets["meetings"])]
    if shown:
        charts.append(Chart(
            "waterfall", "Waterfall", "; ".join(f"{label}: {text}" for label, _r, text in shown),
            bar_chart("Waterfall", [Bar(label, rate or 0.0, text)
                                    for label, rate, text in shown])))
    return charts
