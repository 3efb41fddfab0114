"""``repdesk import FILE``: leads from a CSV file into the profile, all rows or none (unless
--take-good-rows); ``repdesk export FILE``: the profile's leads, or those a search finds."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.startup import open_profile
from models.imports.export import export_leads
from models.imports.leads_import import (
    DEFAULT_SOURCE,
    ImportCheck,
    ImportOptions,
    ImportReport,
    check_import,
    run_import,
)
from models.imports.mapping import (
    LEAD_FIELDS,
    MappingError,
    apply_corrections,
    guess_mapping,
)
from models.imports.reading import CsvTable, FileRefused, read_table
from models.records import RepProfile
from models.reps import current_rep, find_rep
from models.store.open import Store

EXIT_BAD_INPUT = 2
# Beyond this, the text output says how many more there are; --json lists them all.
LINES_SHOWN = 100


def _owner(store: Store, wanted: str | None) -> RepProfile | None:
    return find_rep(store.sessions, wanted) if wanted else current_rep(store.sessions)


def _columns(table: CsvTable, mapping: tuple[str | None, ...]) -> str:
    return ", ".join(f'"{column}" → {LEAD_FIELDS[field].lower() if field else "not imported"}'
                     for column, field in zip(table.header, mapping, strict=True))


def _print_lines(lines: list[str]) -> None:
    for line in lines[:LINES_SHOWN]:
        print(line)
    if len(lines) > LINES_SHOWN:
        print(f"… and {len(lines) - LINES_SHOWN:,} more (--json lists them all).")


def _print_text(check: ImportCheck, report: ImportReport | None, owner: RepProfile) -> None:
    print(f"Read {check.table.describe()}.")
    print(f"Columns: {_columns(check.table, check.mapping)}.")
    _print_lines([problem.describe() for problem in check.problems])
    _print_lines([duplicate.describe() for duplicate in check.duplicates])
    _print_lines([unknown.describe() for unknown in check.unknown_campaigns])
    if report is None:
        print(f"Dry run, nothing written. {check.summary()}")
        return
    if report.written:
        whose = "routed as above" if report.routed else \
            f"Owner: {owner.name}; they are in the owner's queue"
        print(f"{report.summary()} {whose}.")
        return
    print(report.summary())
    if check.missing:
        print(f"Name the column with --map, e.g. --map \"{check.table.header[0]}="
              f"{check.missing[0]}\".")
    elif check.problems and check.ready:
        print(f"Run again with --take-good-rows to import the {len(check.ready):,} good rows "
              "and leave the others out.")


def _json(check: ImportCheck, report: ImportReport | None, owner: RepProfile,
          seconds: float) -> dict[str, Any]:
    return {
        "file": check.table.name, "encoding": check.table.encoding,
        "delimiter": check.table.delimiter, "rows": len(check.table.rows),
        "columns": dict(zip(check.table.header, check.mapping, strict=True)),
        "missing_fields": list(check.missing), "owner": owner.id,
        "dry_run": report is None, "written": bool(report and report.written),
        "imported": len(report.lead_ids) if report else 0,
        "imported_rows": list(report.imported_rows) if report else [],
        "ready_rows": [number for number, _ in check.ready],
        "problems": [{"row": p.row, "column": p.column, "message": p.message}
                     for p in check.problems],
        "duplicates": [{"row": d.row, "name": d.name, "company": d.company,
                        "matches": [{"id": m.id, "kind": m.kind, "name": m.name,
                                     "company": m.company, "score": m.score, "why": m.why}
                                    for m in d.matches]} for d in check.duplicates],
        "unknown_campaigns": [{"row": u.row, "column": u.column, "campaign": u.name}
                              for u in check.unknown_campaigns],
        "message": report.summary() if report else check.summary(),
        "seconds": round(seconds, 3),
    }


def _import(args: argparse.Namespace, folder: Path) -> int:
    try:
        table = read_table(Path(args.file))
        mapping = apply_corrections(table.header, guess_mapping(table.header), args.map)
    except (FileRefused, MappingError) as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    store = open_profile(folder)
    try:
        owner = _owner(store, args.owner)
        if owner is None:
            print(f"No rep {args.owner!r} in this profile." if args.owner else
                  "No rep in this profile yet: pass --owner EMAIL_OR_ID, or sync with the CRM "
                  "first.", file=sys.stderr)
            return EXIT_BAD_INPUT
        started = time.perf_counter()
        report: ImportReport | None = None
        if args.dry_run:
            check = check_import(store.sessions, table, mapping)
        else:
            report = run_import(store.sessions, table, mapping, ImportOptions(
                owner.id, datetime.now(UTC), args.source, args.take_good_rows, args.route))
            check = report.check
        seconds = time.perf_counter() - started
    finally:
        store.close()
    if args.json:
        print(json.dumps(_json(check, report, owner, seconds), ensure_ascii=False))
    else:
        _print_text(check, report, owner)
    refused = check.missing or (check.problems and not (args.take_good_rows and check.ready))
    return EXIT_BAD_INPUT if refused else 0


def _export(args: argparse.Namespace, folder: Path) -> int:
    path = Path(args.file)
    if not path.parent.is_dir():
        print(f"Cannot write {path}: the folder {path.parent} does not exist.", file=sys.stderr)
        return EXIT_BAD_INPUT
    store = open_profile(folder)
    try:
        started = time.perf_counter()
        try:
            report = export_leads(store.sessions, path, args.search)
        except OSError as error:
            print(f"Cannot write {path}: {error.strerror or error}.", file=sys.stderr)
            return EXIT_BAD_INPUT
        seconds = time.perf_counter() - started
    finally:
        store.close()
    if args.json:
        print(json.dumps({"path": str(report.path), "exported": report.count,
                          "seconds": round(seconds, 3)}))
    else:
        print(f"{report.summary()} ({seconds:.1f} s)")
    return 0


def add_parsers(commands: Any, add_profile: Any) -> None:
    fields = ", ".join(LEAD_FIELDS)
    leads_in = commands.add_parser(
        "import", help="import leads from a CSV file (all rows or none)",
        description="Import leads from a CSV file. Every row is checked first; if any row has "
                    "a problem nothing is written, unless --take-good-rows. People already "
                    "known are reported and skipped.")
    add_profile(leads_in)
    leads_in.add_argument("file", metavar="FILE")
    leads_in.add_argument("--map", action="append", default=[], metavar="COLUMN=field",
                          help=f"read COLUMN (name or number) as field: {fields}, or "
                               "'ignore'; repeatable")
    leads_in.add_argument("--dry-run", action="store_true",
                          help="check the file and report, write nothing")
    leads_in.add_argument("--take-good-rows", action="store_true",
                          help="import the rows without problems even if others have some")
    leads_in.add_argument("--route", action="store_true",
                          help="route each lead by the routing rules (competitor, customer, "
                               "size, territory) instead of giving them all to --owner")
    leads_in.add_argument("--owner", "--as", dest="owner", metavar="EMAIL_OR_ID",
                          help="the rep who owns the new leads (default: this profile's rep)")
    leads_in.add_argument("--source", default=DEFAULT_SOURCE, metavar="TEXT",
                          help=f"lead source for rows without one (default: {DEFAULT_SOURCE})")
    leads_in.add_argument("--json", action="store_true", help="print the result as JSON")
    leads_in.set_defaults(run=_import)
    leads_out = commands.add_parser(
        "export", help="export leads to a CSV file (UTF-8, opens in Excel)")
    add_profile(leads_out)
    leads_out.add_argument("file", metavar="FILE")
    leads_out.add_argument("--search", default="", metavar="TEXT",
                           help="only the leads this search finds (as in the Leads screen)")
    leads_out.add_argument("--json", action="store_true", help="print the result as JSON")
    leads_out.set_defaults(run=_export)
