"""``repdesk queue``: a block's work list, now or at a planned time, as text or JSON."""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desktop.startup import open_profile
from models import bounds
from models.hygiene.account_links import refresh_matches
from models.hygiene.cleanup import data_problems
from models.queue import WorkList, work_list
from models.reps import current_rep, find_rep

BLOCKS = {"calls": "calls", "e-mail": "e-mail", "email": "e-mail", "clean-up": "clean-up",
          "cleanup": "clean-up"}
_RELATIVE = re.compile(r"^(?:(today|tomorrow)\s+)?(\d{1,2}):(\d{2})$")


def parse_moment(text: str | None, timezone: str, now: datetime) -> datetime:
    """``--at``: an ISO date-time, or "HH:MM" / "tomorrow HH:MM" in the rep's timezone.

    Raises:
        ValueError: with a message saying what is accepted (OutOfBounds: further than ten
            years from now).
    """
    if text is None:
        return now
    zone = ZoneInfo(timezone)
    match = _RELATIVE.match(text.strip().lower())
    if match:
        day: date = now.astimezone(zone).date()
        if match.group(1) == "tomorrow":
            day += timedelta(days=1)
    try:
        if match:
            clock = time(int(match.group(2)), int(match.group(3)))
            return datetime.combine(day, clock, zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--at {text!r} is not a time: use HH:MM, 'tomorrow HH:MM' or an ISO date-time "
            "such as 2026-11-25T10:00") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return bounds.planned("--at", moment, now)


def _item_json(item: Any) -> dict[str, Any]:
    data = asdict(item)
    data["due_at"] = item.due_at.isoformat()
    return data


def _print_work_list(queue: WorkList, as_json: bool) -> None:
    if as_json:
        print(json.dumps({
            "block": queue.block, "at": queue.at.isoformat(), "count": len(queue),
            "groups": [{"persona": g.persona, "name": g.name, "talk_track": g.talk_track,
                        "leads": [_item_json(i) for i in g.items]} for g in queue.groups],
        }, ensure_ascii=False))
        return
    print(f"{queue.block} block at {queue.at:%a %d %b %H:%M %Z}: {len(queue)} leads")
    for group in queue.groups:
        print(f"\n== {group.name} ({len(group.items)}) — {group.talk_track}")
        for item in group.items:
            flags = " ".join(f for f, on in (("SLA!", item.sla_breached),
                                              ("trial", item.trial_expiring),
                                              ("named", item.priority_account)) if on)
            print(f"  {item.name:<24} {item.company[:28]:<28} {item.local_time:<10} "
                  f"step {item.step}  {flags}")


def run(args: argparse.Namespace, folder: Path) -> int:
    store = open_profile(folder)
    try:
        rep = find_rep(store.sessions, args.as_rep) if args.as_rep else current_rep(store.sessions)
        if rep is None:
            print(f"No rep {args.as_rep!r} in this profile: give a rep's e-mail address."
                  if args.as_rep else
                  "No rep in this profile yet: sync with the CRM or load demo data first.",
                  file=sys.stderr)
            return 2
        try:
            at = parse_moment(args.at, rep.timezone, datetime.now(UTC))
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        block = BLOCKS[args.block]
        if block == "clean-up":
            refresh_matches(store.sessions, datetime.now(UTC))  # as the window does
            problems = data_problems(store.sessions, rep.id)
            if args.json:
                print(json.dumps([asdict(p) for p in problems], ensure_ascii=False))
            else:
                for problem in problems:
                    print(f"{problem.name:<24} {problem.company[:28]:<28} "
                          f"{'; '.join(problem.problems)}")
            return 0
        _print_work_list(work_list(store.sessions, rep.id, block, at), args.json)
        return 0
    finally:
        store.close()


def add_parser(commands: Any, add_profile: Any) -> None:
    queue = commands.add_parser("queue", help="print a block's work list, now or at --at TIME")
    add_profile(queue)
    queue.add_argument("--block", choices=sorted(BLOCKS), default="calls")
    queue.add_argument("--at", metavar="TIME",
                       help="HH:MM, 'tomorrow HH:MM' or an ISO date-time (rep's timezone)")
    queue.add_argument("--json", action="store_true", help="print the result as JSON")
    queue.add_argument("--as", dest="as_rep", metavar="EMAIL",
                       help="the rep whose work list it is (default: this profile's rep)")
    queue.set_defaults(run=run)
