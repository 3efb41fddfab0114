"""``repdesk funnel``: the waterfall of a period, for one rep or the team, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from desktop.period_options import add_period, period
from models.funnel_report import FunnelReport, funnel_report
from models.reps import current_rep
from models.store import User
from models.store.open import open_store

EXIT_BAD_INPUT = 2


def _owners(args: argparse.Namespace, store: Any) -> tuple[list[str] | None, str]:
    if args.team:
        return None, "team"
    with store.sessions() as session:
        if args.rep:
            found = session.scalars(select(User).where(
                func.lower(User.email) == args.rep.strip().lower())).first()
            if found is None:
                raise ValueError(f"No rep with the e-mail {args.rep} in this profile.")
            return [found.id], found.email or found.name
    rep = current_rep(store.sessions)
    if rep is None:
        raise ValueError("No rep in this profile yet: sync with the CRM or load demo data, "
                         "or use --team.")
    return [rep.id], rep.name


def _print_text(report: FunnelReport, who: str) -> None:
    print(f"Funnel for {who} (hand-off mapping: {report.mapping})")
    for stage in report.stages:
        days = "" if stage.median_days_in_stage is None \
            else f"  median {stage.median_days_in_stage:g} days in stage"
        print(f"  {stage.stage:<14} {stage.entered:>8,}{days}")
    print("Conversions")
    for c in report.conversions:
        rate = "—" if c.rate is None else f"{c.rate:.1%}"
        print(f"  {c.from_stage + ' → ' + c.to_stage:<28} {c.converted:>7,} of "
              f"{c.entered:>7,}  {rate}")
    for r in report.close_rates:
        band = f" (expected {r.band[0]:.0%}–{r.band[1]:.0%}: {r.verdict})" if r.band else ""
        rate = "—" if r.rate is None else f"{r.rate:.1%}"
        print(f"  SQL close rate, {r.framework}: {r.won} of {r.sqls}, {rate}{band}")


def run(args: argparse.Namespace, folder: Path) -> int:
    store = open_store(folder)
    try:
        try:
            owners, who = _owners(args, store)
            rep = current_rep(store.sessions)
            start, end = period(args, rep.timezone if rep else "UTC")
        except ValueError as error:
            print(error, file=sys.stderr)
            return EXIT_BAD_INPUT
        report = funnel_report(store.sessions, start, end, owners)
    finally:
        store.close()
    if args.json:
        print(json.dumps(dict(report.to_json(), who=who), ensure_ascii=False))
    else:
        _print_text(report, who)
    return 0


def add_parser(commands: Any, add_profile: Any) -> None:
    funnel = commands.add_parser(
        "funnel", help="print the funnel: entries per stage, conversions, SQL close rates")
    add_profile(funnel)
    add_period(funnel, "first day (YYYY-MM-DD, the rep's timezone)")
    who = funnel.add_mutually_exclusive_group()
    who.add_argument("--rep", metavar="EMAIL", help="leads owned by this rep")
    who.add_argument("--team", action="store_true", help="every rep's leads")
    funnel.add_argument("--json", action="store_true", help="print the result as JSON")
    funnel.set_defaults(run=run)
