"""CSV import and export figures: reading, checking and importing new leads into a demo
profile, refusing an oversized file, exporting every lead.

    python -m tests.benchmarks.import_bench --profile-leads 20000 --rows 10000

Figures depend on the machine; they are printed for people to read, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from models.demo.load import load_demo_data
from models.imports.export import export_leads
from models.imports.leads_import import ImportOptions, check_import, run_import
from models.imports.mapping import guess_mapping
from models.imports.reading import FileRefused, read_table
from models.store import User
from models.store.open import open_store

TITLES = ("VP Sales", "Head of IT", "Marketing Manager", "CFO", "Software Engineer",
          "Geschäftsführer", "Sr. Mgr Marketing", "Directeur Commercial", "Data Analyst")


def _write_new_people(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Vorname", "Nachname", "Firma", "E-Mail", "Telefon", "Position",
                         "Land", "Mitarbeiter", "Branche"])
        for n in range(rows):
            writer.writerow([f"Anna{n}", f"Neumann{n:06d}", f"Firma {n} GmbH",
                             f"anna{n}@firma{n}.de", f"030 {1_000_000 + n}",
                             TITLES[n % len(TITLES)], "DE", str(10 + n % 5000), "Software"])


def _write_huge(path: Path, rows: int) -> None:
    chunk = "".join(f"Ann,Lee{n},Acme Corp,ann{n}@acme.com\n" for n in range(1000))
    with path.open("w", encoding="utf-8") as out:
        out.write("First Name,Last Name,Company,Email\n")
        for _ in range(rows // 1000):
            out.write(chunk)


def _timed(figures: dict[str, float], name: str, started: float) -> float:
    now = time.perf_counter()
    figures[name] = round(now - started, 3)
    return now


def run(profile_leads: int, rows: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        store = open_store(root / "profile")
        load_demo_data(store.engine, profile_leads, max(1, profile_leads // 2), seed=2026)
        with store.sessions() as session:
            rep = session.scalars(select(User.id).where(User.role == "SDR-inbound")).first()
        assert rep is not None
        source = root / "new.csv"
        _write_new_people(source, rows)
        started = time.perf_counter()
        table = read_table(source)
        started = _timed(figures, "read_s", started)
        mapping = guess_mapping(table.header)
        check = check_import(store.sessions, table, mapping)
        started = _timed(figures, "check_s", started)
        report = run_import(store.sessions, table, mapping,
                            ImportOptions(rep, datetime.now(UTC)))
        _timed(figures, "import_s", started)
        figures["imported"] = len(report.lead_ids)
        figures["ready_in_preview"] = len(check.ready)
        huge = root / "huge.csv"
        _write_huge(huge, 1_000_000)
        started = time.perf_counter()
        try:
            read_table(huge)
        except FileRefused:
            _timed(figures, "refuse_1m_rows_s", started)
        started = time.perf_counter()
        exported = export_leads(store.sessions, root / "all.csv")
        _timed(figures, "export_s", started)
        figures["exported"] = exported.count
        figures["export_leads_per_s"] = round(exported.count / figures["export_s"])
        store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile-leads", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(run(args.profile_leads, args.rows), indent=2))


if __name__ == "__main__":
    main()
