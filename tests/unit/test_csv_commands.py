"""`repdesk import` and `repdesk export`: what a power user sees, and exit code 2 with a clear
message on bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.cli import main
from models.reps import current_rep
from models.store import Account, Lead, User
from models.store.open import open_store

HEADER = ["Vorname", "Nachname", "Firma", "E-Mail", "Telefon", "Position", "Land"]
ROWS = [
    ["Jürgen", "Müller", "Nordlicht GmbH", "j.mueller@nordlicht.de", "030 1234567",
     "Geschäftsführer", "DE"],
    ["Anke", "Schulz", "Hafenblick AG", "anke.schulz@hafenblick.de", "040 7654321",
     "Leiterin IT", "Deutschland"],
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csv-profile")
    assert main(["demo-data", "--data-dir", str(folder), "--leads", "150",
                 "--accounts", "60", "--seed", "5"]) == 0
    return folder


@pytest.fixture
def profile(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / "repdesk.db").write_bytes((template / "repdesk.db").read_bytes())
    return folder


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER,
              delimiter: str = ";") -> Path:
    with path.open("w", encoding="cp1252", newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _leads(profile: Path, **where: str) -> list[Lead]:
    store = open_store(profile)
    try:
        with store.sessions() as session:
            query = select(Lead).filter_by(**where)
            return list(session.scalars(query))
    finally:
        store.close()


def _count(profile: Path) -> int:
    store = open_store(profile)
    try:
        with store.sessions() as session:
            return session.scalar(select(func.count()).select_from(Lead)) or 0
    finally:
        store.close()


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_import_and_export(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "import" in out and "export" in out


def test_import_reads_an_excel_csv_and_gives_the_leads_to_the_profiles_rep(
        tmp_path: Path, profile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "messe.csv", ROWS)
    code, out, _ = _run(capsys, "import", str(path), "--data-dir", str(profile))
    assert code == 0
    assert "Windows-1252" in out and "semicolon-separated" in out
    assert '"Firma" → company' in out
    assert "Imported 2 leads." in out
    store = open_store(profile)
    rep = current_rep(store.sessions)
    store.close()
    [mueller] = _leads(profile, company="Nordlicht GmbH")
    assert rep is not None and mueller.owner_id == rep.id
    assert (mueller.phone, mueller.source, mueller.stage) == ("+49301234567", "Import", "MQL")
    assert mueller.cadence_state is not None


def test_json_output_lists_every_row(tmp_path: Path, profile: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "messe.csv", [*ROWS, ROWS[0]])
    code, out, _ = _run(capsys, "import", str(path), "--data-dir", str(profile), "--json",
                        "--source", "Trade fair")
    report = json.loads(out)
    assert code == 0
    assert (report["imported"], report["imported_rows"]) == (2, [2, 3])
    assert report["duplicates"][0]["row"] == 4
    assert report["duplicates"][0]["matches"][0]["name"] == "Jürgen Müller"
    assert report["columns"]["Land"] == "country"
    assert {lead.source for lead in _leads(profile, company="Nordlicht GmbH")} == {"Trade fair"}


def test_a_dry_run_writes_nothing(tmp_path: Path, profile: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    before = _count(profile)
    code, out, _ = _run(capsys, "import", str(write_csv(tmp_path / "a.csv", ROWS)),
                        "--data-dir", str(profile), "--dry-run")
    assert code == 0
    assert "Dry run, nothing written. 2 rows: 2 ready to import." in out
    assert _count(profile) == before


def test_a_bad_row_fails_the_import_until_the_good_rows_are_taken(
        tmp_path: Path, profile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "bad.csv", [*ROWS, ["Lea", "Fischer", "Elbwerk", "lea@",
                                                    "", "", "DE"]])
    before = _count(profile)
    code, out, _ = _run(capsys, "import", str(path), "--data-dir", str(profile))
    assert code == 2
    assert "Row 4, E-Mail: ‘lea@’ is not an e-mail address" in out
    assert "Nothing was imported" in out and "--take-good-rows" in out
    assert _count(profile) == before
    code, out, _ = _run(capsys, "import", str(path), "--data-dir", str(profile),
                        "--take-good-rows")
    assert code == 0
    assert "Imported 2 leads. Not imported: 1 row with problems (row 4)." in out
    assert _count(profile) == before + 2


def test_map_names_columns_the_guess_cannot_know(tmp_path: Path, profile: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "odd.csv", [["Jürgen Müller", "Nordlicht GmbH", "x"]],
                     header=["Ansprechpartner", "Kunde", "Bemerkung"])
    code, _, err = _run(capsys, "import", str(path), "--data-dir", str(profile))
    assert code == 2
    code, out, _ = _run(capsys, "import", str(path), "--data-dir", str(profile),
                        "--map", "Ansprechpartner=full_name", "--map", "Kunde=company")
    assert code == 0, out
    [lead] = _leads(profile, company="Nordlicht GmbH")
    assert (lead.first_name, lead.last_name) == ("Jürgen", "Müller")
    code, _, err = _run(capsys, "import", str(path), "--data-dir", str(profile),
                        "--map", "Kunde=customer")
    assert code == 2 and "'customer' is not a lead field" in err


def test_missing_columns_are_named(tmp_path: Path, profile: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "names.csv", [["Jürgen", "Müller"]],
                     header=["Vorname", "Nachname"])
    code, out, _ = _run(capsys, "import", str(path), "--data-dir", str(profile))
    assert code == 2
    assert "No column of the file holds the company" in out
    assert '--map "Vorname=company"' in out


def test_the_owner_can_be_named_by_email(tmp_path: Path, profile: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(profile)
    with store.sessions() as session:
        ae = session.scalars(select(User).where(User.role == "AE").limit(1)).one()
    store.close()
    assert ae.email
    code, _, _ = _run(capsys, "import", str(write_csv(tmp_path / "a.csv", ROWS)),
                      "--data-dir", str(profile), "--owner", ae.email.upper())
    assert code == 0
    assert {lead.owner_id for lead in _leads(profile, source="Import")} == {ae.id}
    code, _, err = _run(capsys, "import", str(tmp_path / "a.csv"), "--data-dir", str(profile),
                        "--owner", "nobody@nowhere.example")
    assert code == 2 and "No rep 'nobody@nowhere.example'" in err


@pytest.mark.parametrize(("content", "message"), [
    (None, "could not be opened"),
    (b"PK\x03\x04rest of a workbook", "Excel workbook"),
    (b"", "is empty"),
])
def test_files_that_cannot_be_imported_exit_2(tmp_path: Path, profile: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              content: bytes | None, message: str) -> None:
    path = tmp_path / "leads.csv"
    if content is not None:
        path.write_bytes(content)
    code, out, err = _run(capsys, "import", str(path), "--data-dir", str(profile))
    assert code == 2
    assert message in err and not out


def test_export_writes_the_searched_leads(tmp_path: Path, profile: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "import", str(write_csv(tmp_path / "a.csv", ROWS)), "--data-dir", str(profile))
    code, out, _ = _run(capsys, "export", str(tmp_path / "out.csv"), "--data-dir", str(profile),
                        "--search", "nordlicht", "--json")
    assert code == 0 and json.loads(out)["exported"] == 1
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as exported:
        [row] = list(csv.DictReader(exported))
    assert (row["Last name"], row["Phone"]) == ("Müller", "+49301234567")
    code, out, _ = _run(capsys, "export", str(tmp_path / "all.csv"), "--data-dir", str(profile))
    assert code == 0 and out.startswith(f"Exported {_count(profile)} leads to all.csv.")


def test_export_into_a_missing_folder_exits_2(tmp_path: Path, profile: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "export", str(tmp_path / "nope" / "out.csv"),
                        "--data-dir", str(profile))
    assert code == 2 and "does not exist" in err


def test_import_with_route_gives_each_lead_to_whoever_the_rules_choose(
        profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(profile)
    try:
        with store.sessions() as session:
            customer = session.scalars(select(Account).where(
                Account.kind == "customer", Account.owner_id.is_not(None),
                Account.domain.is_not(None))).first()
            assert customer is not None
            account_owner, domain = customer.owner_id, customer.domain
    finally:
        store.close()
    rows = [["Ann", "Lee", "Whoever Inc", f"ann.lee@{domain}", "", "CTO", "US"],
            ["Bo", "Kim", "Tiny Bakery Ltd", "bo@tinybakery.example", "", "Owner", "US"]]
    path = write_csv(tmp_path / "routed.csv", rows)
    assert main(["import", str(path), "--data-dir", str(profile), "--route"]) == 0
    said = capsys.readouterr().out
    assert "Routed: " in said and "Existing customer or partner 1" in said
    [ann] = _leads(profile, last_name="Lee", first_name="Ann")
    [bo] = _leads(profile, last_name="Kim", first_name="Bo")
    assert ann.owner_id == account_owner
    store = open_store(profile)
    try:
        with store.sessions() as session:
            owner = session.get(User, bo.owner_id)
            assert owner is not None and owner.team == "Field"  # size unknown: not under 1,000
    finally:
        store.close()
