"""``repdesk digest --week YYYY-Www``: the week's KPIs for a rep or the team, as text, JSON or
an HTML file; the same sheet the dashboard shows."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.kpis.digest_html import TEAM_ROWS, digest_html, figure
from models.kpis.periods import PeriodError, parse_week, team_timezone
from models.kpis.sheet import Sheet, compute_sheet
from models.reps import current_rep, find_rep
from models.store.open import open_store

EXIT_BAD_INPUT = 2


def _print_text(sheet: Sheet, who: str) -> None:
    print(f"{who}: week {sheet.period.label} ({sheet.period.timezone})")
    targets = sheet.team.get("targets", {})
    for label, key, kind in TEAM_ROWS:
        target = f"  (target {figure(targets[key], kind)})" if key in targets else ""
        print(f"  {label:<26} {figure(sheet.team.get(key), kind):>14}{target}")
    for rep in sheet.reps:
        print(f"  {rep.name:<24} {rep.role:<13} calls {rep.calls:>4}  meetings "
              f"{rep.meetings:>3}  pipeline {figure(rep.pipeline_added, 'money'):>12}"
              + ("  coaching" if rep.needs_coaching else ""))


def build(args: argparse.Namespace, folder: Path, now: datetime | None = None
          ) -> tuple[Sheet, str]:
    """Raises ValueError (PeriodError) for a week or rep that cannot be read."""
    store = open_store(folder)
    try:
        period = parse_week(args.week, team_timezone(store.sessions))
        rep_id: str | None = None
        who = "Team"
        if not args.team:
            rep = find_rep(store.sessions, args.rep) if args.rep else current_rep(store.sessions)
            if rep is None:
                raise ValueError(f"No rep {args.rep!r} in this profile." if args.rep else
                                 "No rep in this profile yet: use --team.")
            rep_id, who = rep.id, rep.name
        moment = min(now or datetime.now(UTC), period.end)
        return compute_sheet(store.sessions, period, moment, rep_id), who
    finally:
        store.close()


def run(args: argparse.Namespace, folder: Path) -> int:
    try:
        sheet, who = build(args, folder)
    except (PeriodError, ValueError) as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.html:
        Path(args.html).write_text(digest_html(sheet, who), encoding="utf-8")
        print(f"Wrote the digest of {sheet.period.label} to {args.html}.")
    elif args.json:
        print(json.dumps(sheet.to_json(), ensure_ascii=False, default=str))
    else:
        _print_text(sheet, who)
    return 0


def add_parser(commands: Any, add_profile: Any) -> None:
    digest = commands.add_parser(
        "digest", help="the week's KPIs against their targets, for a rep or the team")
    add_profile(digest)
    digest.add_argument("--week", required=True, metavar="YYYY-Www",
                        help="ISO week in the team's timezone, e.g. 2026-W48")
    who = digest.add_mutually_exclusive_group()
    who.add_argument("--rep", metavar="EMAIL", help="one rep (default: the signed-in rep)")
    who.add_argument("--team", action="store_true", help="the whole team, rep by rep")
    out = digest.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the digest as JSON")
    out.add_argument("--html", metavar="FILE", help="write the digest as an HTML page")
    digest.set_defaults(run=run)
