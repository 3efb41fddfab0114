"""The weekly digest as an HTML page (for a file or a mail): the sheet's numbers, escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from models.kpis.digest_charts import digest_charts
from models.kpis.sheet import Sheet


def figure(value: Any, kind: str = "count") -> str:
    """One number as the screen and the digest both write it."""
    if value is None:
        return "—"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "money":
        return f"${value:,.0f}"
    if kind == "hours":
        return f"{value:.1f} h"
    if kind == "rate":
        return f"{value:+.1f} %"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


TEAM_ROWS = (("Calls", "calls", "count"), ("Meetings set", "meetings", "count"),
             ("Pipeline added", "pipeline_added", "money"), ("MQLs", "mqls", "count"),
             ("First touch within 24 h", "first_touch_within_24h", "share"),
             ("Median first touch", "median_first_touch_hours", "hours"),
             ("SQL → opportunity", "sql_to_opportunity", "share"),
             ("Win rate", "win_rate", "share"), ("Lead Velocity Rate", "lvr", "rate"),
             ("Leads held over 2 days", "aged_leads", "count"))
REP_COLUMNS = (("Calls", "calls", "count"), ("Meetings", "meetings", "count"),
               ("Pipeline", "pipeline_added", "money"), ("Touches/day", "touches_per_day",
                                                         "count"),
               ("Within 24 h", "first_touch_within_24h", "share"),
               ("Win rate", "win_rate", "share"), ("SQL close", "sql_close_rate", "share"),
               ("Held > 2 d", "aged_leads", "count"), ("Selling", "selling_share", "share"))


def _charts(sheet: Sheet) -> str:
    return "".join(
        # The image carries its title; the alt text its figures, for a reader showing none.
        f"<p><img src='{chart.data_uri()}' "
        f"alt='{escape(chart.alt)}' width='520'></p>" for chart in digest_charts(sheet))


def digest_html(sheet: Sheet, who: str, charts: bool = True) -> str:
    """The page: the team's figures against their targets, the charts as inline PNG images
    (``charts``), and the reps side by side."""
    targets = sheet.team.get("targets", {})
    rows = "".join(
        f"<tr><th>{escape(label)}</th><td>{figure(sheet.team.get(key), kind)}</td>"
        f"<td>{figure(targets.get(key), kind) if key in targets else ''}</td></tr>"
        for label, key, kind in TEAM_ROWS)
    head = "".join(f"<th>{escape(label)}</th>" for label, _k, _t in REP_COLUMNS)
    reps = "".join(
        "<tr><td>" + escape(rep.name) + "</td><td>" + escape(rep.role) + "</td>"
        + "".join(f"<td>{figure(getattr(rep, key), kind)}</td>" for _l, key, kind in REP_COLUMNS)
        + ("<td>coaching</td>" if rep.needs_coaching else "<td></td>") + "</tr>"
        for rep in sheet.reps)
    coaching = ", ".join(escape(n) for n in sheet.team.get("coaching", []))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>RepDesk digest {escape(sheet.period.label)}</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}"
        "th:first-child,td:first-child{text-align:left}</style></head><body>"
        f"<h1>{escape(who)}: {escape(sheet.period.label)}</h1>"
        f"<table><tr><th></th><th>this {escape(sheet.period.kind)}</th><th>target</th></tr>"
        f"{rows}</table>"
        + f"<p>{escape(selling_line(sheet))}</p>"
        + (f"<p>AEs under the close-rate floor: {coaching}</p>" if coaching else "")
        + (_charts(sheet) if charts else "")
        + f"<h2>Reps</h2><table><tr><th>Rep</th><th>Role</th>{head}<th></th></tr>{reps}"
        "</table></body></html>")


def selling_line(sheet: Sheet) -> str:
    selling = sheet.team.get("selling_time") or {}
    return (f"Selling time: {figure(selling.get('done_minutes', 0))} of "
            f"{figure(selling.get('planned_minutes', 0))} planned minutes "
            f"({figure(selling.get('share'), 'share')})")


def digest_text(sheet: Sheet, who: str) -> str:
    """The digest as plain text: the command's output and the mail's body."""
    targets = sheet.team.get("targets", {})
    lines = [f"{who}: {sheet.period.kind} {sheet.period.label} ({sheet.period.timezone})"]
    for label, key, kind in TEAM_ROWS:
        target = f"  (target {figure(targets[key], kind)})" if key in targets else ""
        lines.append(f"  {label:<26} {figure(sheet.team.get(key), kind):>14}{target}")
    lines.append(f"  {selling_line(sheet)}")
    for rep in sheet.reps:
        lines.append(f"  {rep.name:<24} {rep.role:<13} calls {rep.calls:>4}  meetings "
                     f"{rep.meetings:>3}  pipeline {figure(rep.pipeline_added, 'money'):>12}"
                     + ("  coaching" if rep.needs_coaching else ""))
    return "\n".join(lines)
