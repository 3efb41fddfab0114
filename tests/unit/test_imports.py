"""CSV import and export of leads: files read right whatever wrote them, every problem named
with its row, all rows or none, people already known skipped, and exports a spreadsheet opens
without running anything."""

from __future__ import annotations

import csv
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.imports.export import export_leads
from models.imports.leads_import import ImportOptions, ImportReport, check_import, run_import
from models.imports.mapping import (
    MappingError,
    apply_corrections,
    guess_mapping,
    missing_fields,
)
from models.imports.reading import FileRefused, read_table
from models.store import Account, Contact, Lead, OutboxEntry, User
from models.store.open import Store
from tests.conftest import FIXED_NOW

HEADER = ["First Name", "Last Name", "Company", "Email", "Phone", "Title", "Country"]
GOOD = [
    ["Jürgen", "Müller", "Nordlicht GmbH", "j.mueller@nordlicht.de", "030 1234567",
     "Geschäftsführer", "DE"],
    ["Priya", "Raman", "Keystone Analytics", "priya@keystone-analytics.com", "(415) 555-0134",
     "VP Marketing", "US"],
    ["Tom", "Okafor", "Bluewater Freight Ltd", "tom.okafor@bluewater.co.uk", "020 7946 0321",
     "IT Manager", "United Kingdom"],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8",
              delimiter: str = ",", header: list[str] | None = None) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header or HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture
def rep_id(store: Store) -> str:
    with store.sessions.begin() as session:
        rep = User(name="Amelia Hughes", email="amelia@repdesk.test", role="SDR-inbound",
                   timezone="Europe/London")
        session.add(rep)
        session.flush()
        return rep.id


def _import(store: Store, path: Path, owner: str, take_good_rows: bool = False,
            corrections: tuple[str, ...] = ()) -> ImportReport:
    table = read_table(path)
    mapping = apply_corrections(table.header, guess_mapping(table.header), corrections)
    return run_import(store.sessions, table, mapping,
                      ImportOptions(owner, FIXED_NOW, take_good_rows=take_good_rows))


def _names(store: Store) -> set[str]:
    with store.sessions() as session:
        return set(session.scalars(select(Lead.last_name)))


def _lead_count(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(Lead)) or 0


# -- reading ------------------------------------------------------------------------------

def test_utf8_with_bom_is_read_and_the_bom_is_not_part_of_the_first_column(
        tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "bom.csv", GOOD, encoding="utf-8-sig"))
    assert table.encoding == "UTF-8 with BOM"
    assert table.header[0] == "First Name"
    assert table.rows[0].cells[:2] == ("Jürgen", "Müller")


def test_utf16_from_excel_unicode_text_is_read(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "unicode.txt", GOOD, encoding="utf-16",
                                 delimiter="\t"))
    assert table.encoding.startswith("UTF-16")
    assert table.delimiter_name == "tab"
    assert table.rows[0].cells[1] == "Müller"


def test_a_windows_1252_file_reads_muller_right_and_says_which_encoding(
        tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "excel.csv", GOOD, encoding="cp1252"))
    assert table.rows[0].cells[1] == "Müller"
    assert "Windows-1252" in table.encoding


def test_a_file_that_turns_out_not_to_be_utf8_far_down_is_read_as_windows_1252(
        tmp_path: Path) -> None:
    rows = [[f"Ann{n}", f"Lee{n}", "Acme", "", "", "", "US"] for n in range(3000)]
    rows.append(["Jürgen", "Müller", "Nordlicht GmbH", "", "", "", "DE"])
    table = read_table(write_csv(tmp_path / "late.csv", rows, encoding="cp1252"))
    assert table.rows[-1].cells[1] == "Müller"
    assert "Windows-1252" in table.encoding


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"),
                                                 ("|", "vertical bar"), (",", "comma")])
def test_the_delimiter_is_found(tmp_path: Path, delimiter: str, name: str) -> None:
    rows = [*GOOD, ["Ana", "Silva", "Nova Retail; Lda", "", "", "", "PT"]]
    table = read_table(write_csv(tmp_path / "d.csv", rows, delimiter=delimiter))
    assert table.delimiter_name == name
    assert table.header == tuple(HEADER)
    assert table.rows[3].cells[2] == "Nova Retail; Lda"


def test_line_breaks_inside_quoted_values_stay_in_their_cell_and_row_numbers_follow_records(
        tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text('Last Name,Company,Notes\n'
                    'Lee,"Acme\nEurope","said: ""call\r\nme in May"""\n'
                    'Okafor,Bluewater,\n'
                    'Raman,Keystone,x@\n', encoding="utf-8", newline="")
    table = read_table(path)
    assert [row.number for row in table.rows] == [2, 3, 4]
    assert table.rows[0].cells == ("Lee", "Acme\nEurope", 'said: "call\r\nme in May"')


def test_a_million_row_file_is_refused_at_once(tmp_path: Path, store: Store,
                                                 rep_id: str) -> None:
    path = tmp_path / "huge.csv"
    chunk = "".join(f"Ann,Lee{n},Acme Corp,ann{n}@acme.com\n" for n in range(1000))
    with path.open("w", encoding="utf-8") as out:
        out.write("First Name,Last Name,Company,Email\n")
        for _ in range(1000):
            out.write(chunk)
    started = time.perf_counter()
    with pytest.raises(FileRefused, match="more than 100,000 rows"):
        read_table(path)
    assert time.perf_counter() - started < 5
    assert _lead_count(store) == 0


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", GOOD * 50)
    with pytest.raises(FileRefused, match="Split it into smaller files"):
        read_table(path, max_bytes=1_000)


@pytest.mark.parametrize("content", [
    random.Random(7).randbytes(20_000),
    b"PK\x03\x04" + bytes(range(256)) * 20,
    b"\x7fELF\x02\x01\x01" + b"\x00\x01\x02\x03" * 500,
])
def test_binary_files_are_refused_with_a_way_out(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    with pytest.raises(FileRefused) as refused:
        read_table(path)
    assert "CSV" in str(refused.value)


def test_an_excel_workbook_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"[Content_Types].xml" * 10)
    with pytest.raises(FileRefused, match="Excel workbook"):
        read_table(path)


def test_empty_and_header_only_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(FileRefused, match="empty"):
        read_table(tmp_path / "empty.csv")
    with pytest.raises(FileRefused, match="no rows"):
        read_table(write_csv(tmp_path / "header.csv", []))


# -- mapping ------------------------------------------------------------------------------

def test_columns_are_recognised_under_their_usual_names() -> None:
    header = ["Vorname", "Nachname", "Company/Account", "E-Mail-Adresse", "Telefon",
              "Job Title", "Land", "No. of Employees", "Notes"]
    assert guess_mapping(header) == ("first_name", "last_name", "company", "email", "phone",
                                     "title", "country", "employees", None)
    assert guess_mapping(["Email Address", "E-mail", "Name", "Account Name"]) == (
        "email", None, "full_name", "company")


def test_the_rep_corrects_the_guess_by_column_name_or_number() -> None:
    header = ["Kontakt", "Firma", "Mail", "Phone"]
    mapping = apply_corrections(header, guess_mapping(header),
                                ["Kontakt=full_name", "2=company", "Phone=ignore"])
    assert mapping == ("full_name", "company", "email", None)
    assert missing_fields(mapping) == []
    with pytest.raises(MappingError, match="no column 'Fax'"):
        apply_corrections(header, mapping, ["Fax=phone"])
    with pytest.raises(MappingError, match="not a lead field"):
        apply_corrections(header, mapping, ["Mail=mailbox"])


# -- importing ----------------------------------------------------------------------------

def test_imported_leads_are_standardised_owned_and_in_the_owners_queue(
        tmp_path: Path, store: Store, rep_id: str) -> None:
    report = _import(store, write_csv(tmp_path / "leads.csv", GOOD), rep_id)
    assert report.written and report.imported_rows == (2, 3, 4)
    assert report.summary() == "Imported 3 leads."
    with store.sessions() as session:
        leads = {lead.last_name: lead for lead in session.scalars(select(Lead))}
        outbox = session.scalar(select(func.count()).select_from(OutboxEntry).where(
            OutboxEntry.object == "Lead", OutboxEntry.op == "create"))
    mueller = leads["Müller"]
    assert (mueller.phone, mueller.country, mueller.title_level) == ("+49301234567", "DE",
                                                                     "C-level")
    assert leads["Raman"].phone == "+14155550134"
    assert leads["Okafor"].country == "GB"
    assert {lead.owner_id for lead in leads.values()} == {rep_id}
    assert {(lead.stage, lead.source, lead.created_at) for lead in leads.values()} == {
        ("MQL", "Import", FIXED_NOW)}
    assert all(lead.cadence_state and lead.cadence_due_at for lead in leads.values())
    assert outbox == 3


def test_missing_required_columns_are_named_and_nothing_is_written(
        tmp_path: Path, store: Store, rep_id: str) -> None:
    path = write_csv(tmp_path / "no-company.csv", [row[:2] for row in GOOD],
                     header=["First Name", "Last Name"])
    report = _import(store, path, rep_id)
    assert not report.written
    assert report.summary().startswith(
        "Nothing was imported. No column of the file holds the company")
    assert _lead_count(store) == 0


def test_a_bad_row_stops_the_import_and_names_row_and_column(
        tmp_path: Path, store: Store, rep_id: str) -> None:
    rows = [*GOOD,
            ["Ana", "Silva", "Nova Retail", "ana.silva@", "", "", "PT"],
            ["Kenji", "Sato", "Orion Labs", "kenji@orion.co.jp", "", "", "Japn"],
            ["Lea", "", "Delta Foods", "", "", "", ""]]
    report = _import(store, write_csv(tmp_path / "bad.csv", rows), rep_id)
    assert not report.written
    problems = {(p.row, p.column): p.message for p in report.check.problems}
    assert "not an e-mail address" in problems[(5, "Email")]
    assert "two-letter code" in problems[(6, "Country")]
    assert "Last name is missing" in problems[(7, "Last Name")]
    assert "rows 5, 6 and 7" in report.summary()
    assert _lead_count(store) == 0


def test_taking_the_good_rows_imports_exactly_those_and_lists_the_others(
        tmp_path: Path, store: Store, rep_id: str) -> None:
    rows = [*GOOD, ["Ana", "Silva", "Nova Retail", "ana.silva@", "", "", "PT"],
            ["Ben", "Marsh", "Marsh & Co", "", "", "", "", "spill"]]
    report = _import(store, write_csv(tmp_path / "bad.csv", rows), rep_id,
                     take_good_rows=True)
    assert report.written
    assert report.imported_rows == (2, 3, 4)
    assert _names(store) == {"Müller", "Raman", "Okafor"}
    assert "Not imported: 2 rows with problems (rows 5 and 6)" in report.summary()
    [spill] = [p for p in report.check.problems if p.row == 6]
    assert "needs quotes" in spill.message


def test_people_already_known_and_repeated_rows_are_skipped_and_reported(
        tmp_path: Path, store: Store, rep_id: str) -> None:
    with store.sessions.begin() as session:
        session.add(Account(id="acc", name="Keystone Analytics Inc.", kind="customer"))
        session.flush()
        session.add(Contact(id="c1", account_id="acc", first_name="Priya", last_name="Raman",
                            email="priya@keystone-analytics.com"))
        session.add(Lead(id="l1", first_name="Jurgen", last_name="Mueller",
                         company="Nordlicht", email="J.Mueller@nordlicht.de",
                         created_at=FIXED_NOW))
    rows = [*GOOD, ["Tommy", "Okafor", "Bluewater Freight", "tom.okafor@bluewater.co.uk",
                    "", "", "GB"]]
    report = _import(store, write_csv(tmp_path / "dups.csv", rows), rep_id)
    assert report.written and report.imported_rows == (4,)
    known = {d.row: d.matches[0] for d in report.check.duplicates}
    assert (known[2].id, known[2].kind) == ("l1", "lead")
    assert (known[3].id, known[3].kind) == ("c1", "contact")
    assert known[5].id == "row:4"
    assert "already known (rows 2, 3 and 5)" in report.summary()
    assert _names(store) == {"Mueller", "Okafor"}


def test_a_preview_writes_nothing_and_counts_what_would_happen(
        tmp_path: Path, store: Store, rep_id: str) -> None:
    rows = [*GOOD, ["Ana", "Silva", "Nova Retail", "", "", "", "PT"],
            ["ana", "SILVA", "Nova Retail", "", "", "", "PT"],
            ["Ben", "Marsh", "Marsh & Co", "", "", "", "Atlantis"]]
    table = read_table(write_csv(tmp_path / "p.csv", rows))
    check = check_import(store.sessions, table, guess_mapping(table.header))
    assert check.summary() == ("6 rows: 4 ready to import, 1 row with problems, "
                               "1 already known (skipped).")
    assert check.row_status(2) == "ready"
    assert check.row_status(6).startswith("already known: Ana Silva at Nova Retail — row 5")
    assert check.row_status(7).startswith("Country: ‘Atlantis’ is not a country")
    assert _lead_count(store) == 0


def test_thousands_of_rows_go_in_together(tmp_path: Path, store: Store, rep_id: str) -> None:
    rows = [[f"Ann{n}", f"Lee{n:05d}x", f"Company {n}", f"ann{n}@company{n}.co.uk",
             f"020 7946 {n:04d}", "Sales Manager", "GB"] for n in range(2_000)]
    report = _import(store, write_csv(tmp_path / "2k.csv", rows), rep_id)
    assert len(report.lead_ids) == 2_000
    assert _lead_count(store) == 2_000


# -- exporting ----------------------------------------------------------------------------

def test_formula_cells_are_neutralised_and_phone_numbers_stay(
        tmp_path: Path, store: Store, rep_id: str) -> None:
    with store.sessions.begin() as session:
        session.add(Lead(first_name="-2+3", last_name="@SUM(A1:A9)", company="+cmd|' /C calc'!A0",
                         title='=HYPERLINK("http://evil.test","Click")', phone="+14155550100",
                         email="ok@example.com", created_at=FIXED_NOW, owner_id=rep_id))
    report = export_leads(store.sessions, tmp_path / "out.csv")
    assert report.count == 1
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    [header, row] = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    cell = dict(zip(header, row, strict=True))
    assert cell["First name"] == "'-2+3"
    assert cell["Last name"] == "'@SUM(A1:A9)"
    assert cell["Company"] == "'+cmd|' /C calc'!A0"
    assert cell["Title"].startswith("'=HYPERLINK(")
    assert cell["Phone"] == "+14155550100"


def test_an_export_of_a_search_holds_only_what_the_search_shows(
        tmp_path: Path, demo_store: Store) -> None:
    with demo_store.sessions() as session:
        company = session.scalars(select(Lead.company).limit(1)).one()
    word = company.split()[0]
    report = export_leads(demo_store.sessions, tmp_path / "some.csv", word)
    rows = list(csv.DictReader((tmp_path / "some.csv").open(encoding="utf-8-sig")))
    assert 0 < len(rows) == report.count < 600
    assert all(word.casefold() in " ".join(r.values()).casefold() for r in rows)


def test_export_then_import_into_another_profile_brings_the_same_people(
        tmp_path: Path, demo_store: Store, store: Store, rep_id: str) -> None:
    with demo_store.sessions.begin() as session:
        session.add(Lead(first_name="Ada", last_name="=Formula", company="Calc & Co",
                         phone="+14155550100", email="ada@calc.example", country="US",
                         created_at=datetime.now(UTC)))
    exported = export_leads(demo_store.sessions, tmp_path / "all.csv")
    report = _import(store, tmp_path / "all.csv", rep_id, take_good_rows=True)
    assert report.written
    assert not report.check.missing
    with store.sessions() as session:
        imported = {(lead.last_name, lead.company, lead.email)
                    for lead in session.scalars(select(Lead))}
        ada = session.scalars(select(Lead).where(Lead.email == "ada@calc.example")).one()
    with demo_store.sessions() as session:
        original = {(lead.last_name, lead.company, lead.email)
                    for lead in session.scalars(select(Lead))}
    # The demo data holds deliberate duplicates; they are the rows left out, and nothing else.
    skipped = len(report.check.duplicates) + len(report.check.problem_rows)
    assert len(imported) + skipped == exported.count
    assert imported <= original
    assert (ada.last_name, ada.phone) == ("=Formula", "+14155550100")
