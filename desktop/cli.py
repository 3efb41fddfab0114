"""``repdesk``: the window, or one piece of work without a window (``repdesk --help``)."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from desktop import crm_commands, csv_commands, queue_command
from desktop.profile import data_dir
from models.bounds import OutOfBounds, whole
from models.store.errors import StoreError, explain
from models.store.open import DATABASE_NAME

EXIT_BAD_INPUT = 2


def _add_profile_options(parser: argparse.ArgumentParser, top: bool) -> None:
    # SUPPRESS on subcommands, so `repdesk --data-dir X demo-data` keeps X.
    parser.add_argument(
        "--data-dir", metavar="DIR", default=None if top else argparse.SUPPRESS,
        help="profile folder holding the local store (default: the user data folder)",
    )


class _PrintVersion(argparse.Action):
    """Reads the installed version only when asked: every start parses this command line."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib import metadata

        try:
            found = metadata.version("repdesk")
        except metadata.PackageNotFoundError:  # a checkout that was never installed
            found = "unknown"
        print(f"repdesk {found}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="repdesk",
        description="RepDesk, the inside-sales workstation. Without a command, opens the window.",
    )
    _add_profile_options(parser, top=True)
    parser.add_argument("--version", action=_PrintVersion, nargs=0,
                        help="print RepDesk's version and exit")
    parser.add_argument("--exit-when-shown", action="store_true", help=argparse.SUPPRESS)
    # The packaged app's smoke test: the window syncs once through its sync process, prints
    # how it went and closes (exit status 1 if the sync failed).
    parser.add_argument("--exit-after-sync", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo-data", help="fill an empty profile with realistic, deterministic demo data")
    _add_profile_options(demo, top=False)
    demo.add_argument("--leads", type=int, default=5_000, metavar="N")
    demo.add_argument("--accounts", type=int, default=2_500, metavar="M")
    demo.add_argument("--seed", type=int, default=2026, metavar="S")
    demo.add_argument("--without-crm", action="store_true",
                      help="no demo CRM beside the store (`repdesk sync` then needs --crm)")
    demo.add_argument("--json", action="store_true", help="print the result as JSON")
    demo.set_defaults(run=_demo_data)
    queue_command.add_parser(commands, lambda p: _add_profile_options(p, top=False))
    crm_commands.add_parsers(commands, lambda p: _add_profile_options(p, top=False))
    csv_commands.add_parsers(commands, lambda p: _add_profile_options(p, top=False))
    return parser


def _demo_data(args: argparse.Namespace, folder: Path) -> int:
    from desktop.demo import demo_crm_file, make_demo
    from models.demo.load import needs_demo_data
    from models.store.open import open_store

    whole("leads", args.leads)
    whole("accounts", args.accounts)
    whole("seed", args.seed)
    store = open_store(folder)  # refuses a file that is not an empty or RepDesk store
    try:
        empty = needs_demo_data(store.sessions)
    finally:
        store.close()
    if not empty:
        print(f"The store {store.path} already holds data; demo data only goes into an "
              "empty profile. Choose a new --data-dir.", file=sys.stderr)
        return EXIT_BAD_INPUT
    started = time.perf_counter()
    counts = make_demo(store.path, args.leads, args.accounts, args.seed,
                       with_crm=not args.without_crm)
    seconds = time.perf_counter() - started
    rate = args.leads / seconds if seconds else 0.0
    crm = None if args.without_crm else demo_crm_file(store)
    if args.json:
        print(json.dumps({"path": str(store.path), "crm": crm and str(crm), "counts": counts,
                          "seconds": round(seconds, 3), "leads_per_second": round(rate)}))
    else:
        made = ", ".join(f"{n:,} {table.replace('_', ' ')}" for table, n in counts.items())
        print(f"Wrote {made} to {store.path} in {seconds:.1f} s ({rate:,.0f} leads/s).")
        if crm:
            print(f"The same records are in the profile's demo CRM ({crm}): `repdesk sync` "
                  "syncs with it.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    folder = data_dir(getattr(args, "data_dir", None))
    try:
        if args.command is None:
            from desktop.app import run_gui

            return run_gui(folder, exit_when_shown=args.exit_when_shown,
                           exit_after_sync=args.exit_after_sync)
        code: int = args.run(args, folder)
        return code
    except (StoreError, OutOfBounds) as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, SQLAlchemyError, sqlite3.Error) as error:
        # A disk that filled up, went read-only or got locked while a command ran: say which,
        # never the driver's text (it repeats the statement's values: lead data).
        trouble = explain(error, _where(error, folder))
        if trouble is None:
            raise
        print(trouble, file=sys.stderr)
        return EXIT_BAD_INPUT


def _where(error: BaseException, folder: Path) -> Path:
    named = getattr(error, "filename", None)
    return Path(named) if isinstance(named, str) else folder / DATABASE_NAME


if __name__ == "__main__":
    sys.exit(main())
