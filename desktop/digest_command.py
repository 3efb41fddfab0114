"""``repdesk digest --week YYYY-Www``: the week's KPIs for a rep or the team, as text, JSON or
an HTML file; the same sheet the dashboard shows."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.kpis.digest_html import digest_html, digest_text
from models.kpis.digest_mail import send_due_digests
from models.kpis.periods import PeriodError, parse_week, team_timezone
from models.kpis.sheet import Sheet, compute_sheet
from models.reps import current_rep, find_rep
from models.store.open import open_store

EXIT_BAD_INPUT = 2


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


def _mail(args: argparse.Namespace, folder: Path) -> int:
    """Queue the team digest of the week for every manager who has not had it."""
    store = open_store(folder)
    try:
        period = parse_week(args.week, team_timezone(store.sessions))
        queued = send_due_digests(store.sessions, datetime.now(UTC), week=period)
    except PeriodError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        store.close()
    if not queued:
        print("No manager with an e-mail address in this profile: nothing to send.",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    for item in queued:
        state = "queued: the next sync sends it" if item.queued else "already queued or sent"
        print(f"Digest {item.week} for {item.manager}: {state}.")
    return 0


def run(args: argparse.Namespace, folder: Path) -> int:
    if args.mail:
        return _mail(args, folder)
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
        print(digest_text(sheet, who))
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
    out.add_argument("--mail", action="store_true",
                     help="mail the team digest to every manager through the CRM, once a week")
    digest.set_defaults(run=run)
