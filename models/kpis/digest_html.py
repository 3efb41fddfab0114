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
# (header, figure, how it is written, dropped in a narrow window). The headers wrap at their
# spaces; in a window under NARROW px (a mail pane, a 900 px browser) the least needed
# columns are left out, so the table never scrolls sideways (the screen has them all).
REP_COLUMNS = (("Calls", "calls", "count", False), ("Meetings", "meetings", "count", False),
               ("Pipeline", "pipeline_added", "money", False),
               ("Touches a day", "touches_per_day", "count", True),
               ("Within 24 h", "first_touch_within_24h", "share", True),
               ("Win rate", "win_rate", "share", False),
               ("SQL close", "sql_close_rate", "share", False),
               ("Held > 2 days", "aged_leads", "count", True),
               ("Selling time", "selling_share", "share", True))
NARROW = 1040
STYLE = (
    "body{font-family:sans-serif;margin:8px}"
    "table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right}"
    "th{vertical-align:bottom}th:first-child,td:first-child{text-align:left}"
    "img{max-width:100%;height:auto}"
    ".reps td{white-space:nowrap}.reps th{white-space:normal}"
    ".flag{color:#b3261e;font-size:smaller}.reps .text{text-align:left}"
    f"@media (max-width:{NARROW}px){{.reps .spare{{display:none}}"
    ".reps td,.reps th{padding:2px 4px}}")


def _cell(tag: str, text: str, spare: bool) -> str:
    return f"<{tag} class='spare'>{text}</{tag}>" if spare else f"<{tag}>{text}</{tag}>"


def _rep_rows(sheet: Sheet) -> str:
    head = "<tr><th>Rep</th><th class='spare text'>Role</th>" + "".join(
        _cell("th", escape(label), spare) for label, _k, _t, spare in REP_COLUMNS) + "</tr>"
    rows = "".join(
        "<tr><td>" + escape(rep.name)
        + (" <span class='flag'>⚑ coaching</span>" if rep.needs_coaching else "") + "</td>"
        + f"<td class='spare text'>{escape(rep.role)}</td>"
        + "".join(_cell("td", figure(getattr(rep, key), kind), spare)
                  for _l, key, kind, spare in REP_COLUMNS) + "</tr>"
        for rep in sheet.reps)
    return f"<table class='reps'>{head}{rows}</table>"


def _label(sheet: Sheet, label: str, key: str) -> str:
    """The Lead Velocity Rate names the months it compares (``models.kpis.velocity``)."""
    months = sheet.team.get("lvr_months") if key == "lvr" else None
    return f"{label} ({months})" if months else label


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
        f"<tr><th>{escape(_label(sheet, label, key))}</th>"
        f"<td>{figure(sheet.team.get(key), kind)}</td>"
        f"<td>{figure(targets.get(key), kind) if key in targets else ''}</td></tr>"
        for label, key, kind in TEAM_ROWS)
    coaching = ", ".join(escape(n) for n in sheet.team.get("coaching", []))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>RepDesk digest {escape(sheet.period.label)}</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{escape(who)}: {escape(sheet.period.label)}</h1>"
        f"<table><tr><th></th><th>this {escape(sheet.period.kind)}</th><th>target</th></tr>"
        f"{rows}</table>"
        + f"<p>{escape(selling_line(sheet))}</p>"
        + (f"<p>AEs under the close-rate floor: {coaching}</p>" if coaching else "")
        + (_charts(sheet) if charts else "")
        + f"<h2>Reps</h2>{_rep_rows(sheet)}</body></html>")


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
