"""Importing leads from a CSV table: every row checked (with its row number, column and a
message a rep understands), people already known skipped, then all rows written in one
transaction, or none.

Rows with problems stop the whole import unless the caller asks to take the good rows; the
report then says exactly which rows went in and which did not. Duplicates (of leads and
contacts in the store, or of an earlier row of the same file) are never written, and are not
problems: they are reported and skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker

from models.hygiene.account_links import refresh_matches
from models.hygiene.duplicates import LeadIdentity
from models.hygiene.entry import KnownPerson, known_duplicates
from models.hygiene.route_leads import route_leads
from models.imports.campaigns import campaign_index, match_campaign, unknown_campaign_message
from models.imports.creating import write_leads
from models.imports.fields import PersonEntry, check_person
from models.imports.formulas import restore
from models.imports.mapping import ColumnMapping, missing_fields, missing_message
from models.imports.reading import CsvRow, CsvTable

ROW_ID = "row:"
DEFAULT_SOURCE = "Import"


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def describe(self) -> str:
        where = f"Row {self.row}, {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.message}"


def describe_known(person: KnownPerson) -> str:
    """"Jane Doe at Acme — lead, e-mail 100, name 96"."""
    what = (f"row {person.id.removeprefix(ROW_ID)} of this file"
            if person.id.startswith(ROW_ID) else person.kind)
    return f"{person.name} at {person.company} — {what}, {person.why}"


@dataclass(frozen=True)
class DuplicateRow:
    row: int
    name: str
    company: str
    matches: tuple[KnownPerson, ...]

    def describe(self) -> str:
        return f"Row {self.row} is already known: {describe_known(self.matches[0])}"


def row_list(rows: Sequence[int], shown: int = 10) -> str:
    """"rows 4, 7 and 9", shortened after ``shown`` numbers."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    if len(rows) <= shown:
        return "rows " + ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
    return "rows " + ", ".join(map(str, rows[:shown])) + f" and {len(rows) - shown:,} more"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class UnknownCampaign:
    """A ready row whose campaign RepDesk does not know: not a problem, the lead goes in."""

    row: int
    column: str
    name: str

    def message(self) -> str:
        return unknown_campaign_message(self.name)

    def describe(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message()}"


@dataclass(frozen=True)
class ImportCheck:
    """What importing ``table`` with ``mapping`` would do; nothing written yet."""

    table: CsvTable
    mapping: ColumnMapping
    missing: tuple[str, ...]
    ready: tuple[tuple[int, PersonEntry], ...]
    problems: tuple[RowProblem, ...]
    duplicates: tuple[DuplicateRow, ...]
    # Ready rows naming a campaign RepDesk does not know: imported, the name kept with them.
    unknown_campaigns: tuple[UnknownCampaign, ...] = ()

    @cached_property
    def problem_rows(self) -> tuple[int, ...]:
        return tuple(sorted({p.row for p in self.problems}))

    @cached_property
    def duplicate_rows(self) -> tuple[int, ...]:
        return tuple(d.row for d in self.duplicates)

    def can_import(self, take_good_rows: bool) -> bool:
        return not self.missing and bool(self.ready) and (take_good_rows or not self.problems)

    @cached_property
    def _statuses(self) -> dict[int, str]:
        statuses: dict[int, list[str]] = {}
        for problem in self.problems:
            where = f"{problem.column}: " if problem.column else ""
            statuses.setdefault(problem.row, []).append(where + problem.message)
        found = {row: "; ".join(messages) for row, messages in statuses.items()}
        for duplicate in self.duplicates:
            found[duplicate.row] = "already known: " + describe_known(duplicate.matches[0])
        for unknown in self.unknown_campaigns:
            found[unknown.row] = f"ready; {unknown.column}: {unknown.message()}"
        return found

    def row_status(self, row: int) -> str:
        """What happens to one row, in a few words, for the preview."""
        return self._statuses.get(row, "ready")

    def summary(self) -> str:
        if self.missing:
            return missing_message(self.missing)
        parts = [f"{_plural(len(self.table.rows), 'row')}: {len(self.ready):,} ready to import"]
        if self.problems:
            parts.append(f"{_plural(len(self.problem_rows), 'row')} with problems")
        if self.duplicates:
            parts.append(f"{len(self.duplicates):,} already known (skipped)")
        if self.unknown_campaigns:
            parts.append(f"{_plural(len(self.unknown_campaigns), 'row')} naming a campaign "
                         "RepDesk does not know (imported without it, the name kept)")
        return ", ".join(parts) + "."


@dataclass(frozen=True)
class ImportOptions:
    owner_id: str
    now: datetime
    source: str = DEFAULT_SOURCE
    take_good_rows: bool = False
    # Route each new lead by the routing rules (resources/hygiene/routing.json) instead of
    # leaving them all with ``owner_id``.
    route: bool = False


@dataclass(frozen=True)
class ImportReport:
    check: ImportCheck
    written: bool
    lead_ids: tuple[str, ...] = ()
    imported_rows: tuple[int, ...] = ()
    reasons: tuple[str, ...] = ()
    # Routing rule → how many new leads it took, when the import routed them.
    routed: tuple[tuple[str, int], ...] = ()

    def summary(self) -> str:
        check = self.check
        if not self.written:
            return " ".join(self.reasons)
        left_out = []
        if check.problems:
            left_out.append(f"{_plural(len(check.problem_rows), 'row')} with problems "
                            f"({row_list(check.problem_rows)})")
        if check.duplicates:
            left_out.append(f"{len(check.duplicates):,} already known "
                            f"({row_list(check.duplicate_rows)})")
        done = f"Imported {_plural(len(self.lead_ids), 'lead')}."
        if check.unknown_campaigns:
            rows = tuple(u.row for u in check.unknown_campaigns)
            names = sorted({u.name for u in check.unknown_campaigns})
            done += (f" No campaign named {', '.join(f'‘{n}’' for n in names[:5])}"
                     f"{' and more' if len(names) > 5 else ''} ({row_list(rows)}): imported "
                     "without a campaign, the name kept with each lead.")
        if self.routed:
            done += " Routed: " + ", ".join(f"{rule} {count:,}" for rule, count in self.routed) \
                + "."
        return done + (f" Not imported: {' and '.join(left_out)}." if left_out else "")


def _values(row: CsvRow, mapping: ColumnMapping) -> dict[str, str]:
    values: dict[str, str] = {}
    for cell, name in zip(row.cells, mapping, strict=False):
        if name is not None:
            values[name] = restore(cell)
    return values


def _column_of(table: CsvTable, mapping: ColumnMapping, name: str) -> str:
    if name not in mapping and name in ("first_name", "last_name"):
        name = "full_name"
    return table.header[mapping.index(name)] if name in mapping else ""


def check_rows(table: CsvTable, mapping: ColumnMapping
               ) -> tuple[list[tuple[int, PersonEntry]], list[RowProblem]]:
    """Every row checked and standardised on its own; no store needed."""
    good: list[tuple[int, PersonEntry]] = []
    problems: list[RowProblem] = []
    width = len(table.header)
    for row in table.rows:
        if row.swallowed is not None:
            first, last = row.swallowed
            lines = f"line {first}" if first == last else f"lines {first} to {last}"
            problems.append(RowProblem(
                row.number, "", f"a quote opened in this row is not closed, so {lines} of "
                "the file were read into it as one value and are not imported either. "
                "Close the quote (or remove it) in the file and import it again."))
            continue
        if len(row.cells) > width and any(cell.strip() for cell in row.cells[width:]):
            problems.append(RowProblem(
                row.number, "", f"has {len(row.cells)} values but the file has {width} "
                "columns: a value that contains the delimiter needs quotes around it."))
            continue
        entry, found = check_person(_values(row, mapping))
        if entry is None:
            problems.extend(RowProblem(row.number, _column_of(table, mapping, name), message)
                            for name, message in found.items())
        else:
            good.append((row.number, entry))
    return good, problems


def _duplicates(session: Session, good: list[tuple[int, PersonEntry]]) -> list[DuplicateRow]:
    identities = [LeadIdentity(f"{ROW_ID}{number}", e.first_name, e.last_name, e.company,
                               e.email, e.phone) for number, e in good]
    known = known_duplicates(session, identities)
    found = []
    for number, entry in good:
        matches = known.get(f"{ROW_ID}{number}")
        if matches:
            name = f"{entry.first_name or ''} {entry.last_name}".strip()
            found.append(DuplicateRow(number, name, entry.company, tuple(matches)))
    return found


def _check(session: Session, table: CsvTable, mapping: ColumnMapping) -> ImportCheck:
    missing = tuple(missing_fields(mapping))
    if missing:
        return ImportCheck(table, mapping, missing, (), (), ())
    good, problems = check_rows(table, mapping)
    duplicates = _duplicates(session, good)
    skipped = {d.row for d in duplicates}
    ready = tuple((number, entry) for number, entry in good if number not in skipped)
    return ImportCheck(table, mapping, (), ready, tuple(problems), tuple(duplicates),
                       _unknown_campaigns(session, table, mapping, ready))


def _unknown_campaigns(session: Session, table: CsvTable, mapping: ColumnMapping,
                       ready: Sequence[tuple[int, PersonEntry]]) -> tuple[UnknownCampaign, ...]:
    named = [(number, entry.campaign) for number, entry in ready if entry.campaign]
    if not named:
        return ()
    index = campaign_index(session)
    column = _column_of(table, mapping, "campaign") or _column_of(table, mapping,
                                                                  "utm_campaign")
    return tuple(UnknownCampaign(number, column, name)
                 for number, name in named if match_campaign(index, name) is None)


def check_import(sessions: sessionmaker[Session], table: CsvTable,
                 mapping: ColumnMapping) -> ImportCheck:
    """The preview: what an import would do, nothing written."""
    with sessions() as session:
        return _check(session, table, mapping)


def _refusal(check: ImportCheck, take_good_rows: bool) -> tuple[str, ...]:
    if check.missing:
        return ("Nothing was imported.", missing_message(check.missing))
    if check.problems and not take_good_rows:
        rows = check.problem_rows
        fix = "Fix them in the file and import it again"
        return ("Nothing was imported:",
                f"{_plural(len(rows), 'row')} {'has' if len(rows) == 1 else 'have'} problems "
                f"({row_list(rows)}).",
                f"{fix}, or import only the {_plural(len(check.ready), 'good row')}."
                if check.ready else f"{fix}.")
    if not check.ready:
        return ("Nothing was imported: every row has a problem or is already known.",)
    return ()


def run_import(sessions: sessionmaker[Session], table: CsvTable, mapping: ColumnMapping,
               options: ImportOptions) -> ImportReport:
    """Check the rows again and write the ready ones in one transaction, or write nothing.

    The check reads beside the writers (it takes seconds on a big file); only the writing
    holds the store's write lock.

    Raises:
        LookupError: the owner is not a user of this profile.
    """
    check = check_import(sessions, table, mapping)
    reasons = _refusal(check, options.take_good_rows)
    if reasons:
        return ImportReport(check, written=False, reasons=reasons)
    lead_ids = write_leads(sessions, [entry for _, entry in check.ready], options.owner_id,
                           options.source, options.now)
    routed: tuple[tuple[str, int], ...] = ()
    if options.route:
        refresh_matches(sessions, options.now)  # routing reads each lead's account
        decisions = route_leads(sessions, lead_ids, options.owner_id, options.now)
        routed = tuple(Counter(decision.rule for decision in decisions).most_common())
    return ImportReport(check, written=True, lead_ids=tuple(lead_ids),
                        imported_rows=tuple(number for number, _ in check.ready), routed=routed)
