"""``repdesk campaigns``: each campaign's leads of a period and how far they went, as a table,
JSON or a CSV file."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop.period_options import add_period, period
from models.kpis.campaigns import SORT_COLUMNS, campaign_results, campaigns_csv, sort_campaigns
from models.kpis.periods import team_timezone
from models.store.open import open_store

EXIT_BAD_INPUT = 2


def run(args: argparse.Namespace, folder: Path) -> int:
    store = open_store(folder)
    try:
        try:
            start, end = period(args, team_timezone(store.sessions))
        except ValueError as error:
            print(error, file=sys.stderr)
            return EXIT_BAD_INPUT
        results = campaign_results(store.sessions, start, end)
    finally:
        store.close()
    if args.sort:
        results = sort_campaigns(results, args.sort, args.reverse)
    if args.csv:
        Path(args.csv).write_text(campaigns_csv(results), encoding="utf-8")
        print(f"Wrote {len(results)} campaigns to {args.csv}.")
    elif args.json:
        print(json.dumps([asdict(r) for r in results], ensure_ascii=False))
    else:
        for r in results:
            print(f"{r.campaign[:32]:<32} {r.responses:>6,} → {r.mqls:>6,} MQL → {r.sqls:>5,} SQL"
                  f" → {r.opportunities:>4,} opp. → {r.won:>4,} won  ${r.revenue:,.0f}")
    return 0


def add_parser(commands: Any, add_profile: Any) -> None:
    parser = commands.add_parser(
        "campaigns", help="per campaign: responses, MQLs, SQLs, opportunities, won, revenue")
    add_profile(parser)
    add_period(parser, "leads created from this day (YYYY-MM-DD, the team's timezone)")
    parser.add_argument("--sort", choices=SORT_COLUMNS,
                        help="order by this column (names A to Z, figures largest first); "
                             "the CSV and JSON follow it. Default: revenue, then responses")
    parser.add_argument("--reverse", action="store_true", help="turn the order round")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the table as JSON")
    out.add_argument("--csv", metavar="FILE", help="write the table as CSV")
    parser.set_defaults(run=run)
