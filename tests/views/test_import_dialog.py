"""Importing a CSV file from the Leads screen, and exporting what the search shows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from models.reps import current_rep
from models.store import Lead
from models.store.open import Store
from tests.views.conftest import cell
from views.import_dialog import ImportDialog
from views.main_window import MainWindow

HEADER = ["Vorname", "Nachname", "Firma", "E-Mail", "Telefon", "Land"]
ROWS = [["Jürgen", "Müller", "Nordlicht GmbH", "j.mueller@nordlicht.de", "030 1234567", "DE"],
        ["Priya", "Raman", "Keystone Analytics", "priya@", "(415) 555-0134", "US"],
        ["Tom", "Okafor", "Bluewater Freight Ltd", "tom@bluewater.co.uk", "", "GB"]]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="cp1252", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _open(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch,
          path: Path) -> ImportDialog:
    window.show_screen("Leads")
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_args, **_kw: (str(path), "")))
    qtbot.mouseClick(window.leads.import_button, Qt.MouseButton.LeftButton)
    dialog = window.leads.import_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy())
    return dialog


def _company_leads(store: Store, company: str) -> list[Lead]:
    with store.sessions() as session:
        return list(session.scalars(select(Lead).where(Lead.company == company)))


def test_a_file_with_a_bad_row_imports_nothing_until_the_good_rows_are_taken(
        qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _open(qtbot, window, monkeypatch, write_csv(tmp_path / "messe.csv", ROWS))
    assert "Windows-1252" in dialog.file_facts.text()
    assert "semicolon-separated" in dialog.file_facts.text()
    assert [combo.currentText() for combo in dialog.combos] == [
        "First name", "Last name", "Company", "E-mail", "Phone", "Country"]
    assert dialog.preview.item(1, 2).text() == "Müller"
    assert dialog.preview.item(1, 0).text() == "ready"
    assert "not an e-mail address" in dialog.preview.item(2, 0).text()
    assert dialog.summary_text().startswith("3 rows: 2 ready to import, 1 row with problems.")
    assert (cell(dialog.problems, 0, 0), cell(dialog.problems, 0, 1)) == (
        "3", "E-Mail")
    assert not dialog.import_button.isEnabled()
    assert dialog.take_good_rows.isVisible()
    dialog.take_good_rows.setChecked(True)
    assert dialog.import_button.text() == "Import 2 leads"
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.summary_text().startswith(
        "Imported 2 leads. Not imported: 1 row with problems (row 3).")
    assert dialog.close_button.text() == "Close"
    rep = current_rep(demo_store.sessions)
    [mueller] = _company_leads(demo_store, "Nordlicht GmbH")
    assert rep is not None and mueller.owner_id == rep.id and mueller.cadence_state
    assert _company_leads(demo_store, "Keystone Analytics") == []
    qtbot.waitUntil(lambda: "Imported 2 leads" in window.leads.notice.text())
    qtbot.waitUntil(lambda: window.status.pending.text() == "2 changes waiting to sync")


def test_choosing_the_field_of_an_unknown_column_makes_the_file_importable(
        qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "odd.csv", [["Lea Fischer", "Elbwerk KG"]],
                     header=["Ansprechpartner", "Kunde"])
    dialog = _open(qtbot, window, monkeypatch, path)
    assert "No column of the file holds the last name and company" in dialog.summary_text()
    assert not dialog.import_button.isEnabled()
    dialog.combos[0].setCurrentIndex(dialog.combos[0].findText("Full name (first and last)"))
    dialog.combos[1].setCurrentIndex(dialog.combos[1].findText("Company"))
    qtbot.waitUntil(lambda: not dialog.busy())
    assert dialog.summary_text() == "1 row: 1 ready to import."
    assert dialog.preview.item(1, 0).text() == "ready"
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    [lead] = _company_leads(demo_store, "Elbwerk KG")
    assert (lead.first_name, lead.last_name) == ("Lea", "Fischer")


def test_a_column_chosen_twice_moves_to_the_new_column(
        qtbot: QtBot, window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _open(qtbot, window, monkeypatch, write_csv(tmp_path / "messe.csv", ROWS))
    dialog.combos[5].setCurrentIndex(dialog.combos[5].findText("Company"))
    assert dialog.combos[2].currentText() == "— not imported —"
    qtbot.waitUntil(lambda: not dialog.busy())
    assert dialog.summary_text().startswith("3 rows: ")


def test_people_already_known_are_listed_and_left_out(
        qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with demo_store.sessions() as session:
        known = session.scalars(select(Lead).where(Lead.email.is_not(None)).limit(1)).one()
    rows = [[known.first_name or "", known.last_name, known.company, known.email or "", "", ""],
            ROWS[0]]
    dialog = _open(qtbot, window, monkeypatch, write_csv(tmp_path / "known.csv", rows))
    assert dialog.details.tabText(1) == "Already known (1)"
    assert cell(dialog.duplicates, 0, 0) == "2"
    assert "— lead, " in cell(dialog.duplicates, 0, 3)
    assert dialog.preview.item(1, 0).text().startswith("already known: ")
    assert dialog.import_button.text() == "Import 1 lead"


def test_a_workbook_is_refused_with_what_to_do(qtbot: QtBot, window: MainWindow,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    dialog = _open(qtbot, window, monkeypatch, path)
    assert "Excel workbook" in dialog.summary_text()
    assert "Save As" in dialog.summary_text()
    assert not dialog.import_button.isEnabled()
    assert dialog.choose_button.isEnabled()


def test_export_writes_the_leads_the_search_shows(
        qtbot: QtBot, window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window.show_screen("Leads")
    company = window.leads.model.data(window.leads.model.index(0, 1))
    window.leads.search_box.setText(company)
    window.leads.search_now()
    qtbot.waitUntil(lambda: window.leads.count_label.text().endswith("leads")
                    and window.leads.model.rowCount() < 600)
    shown = window.leads.model.rowCount()
    target = tmp_path / "export"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_args, **_kw: (str(target), "")))
    qtbot.mouseClick(window.leads.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.leads.notice.text().startswith("Exported"))
    assert window.leads.notice.text() == (
        f"Exported {shown:,} lead{'' if shown == 1 else 's'} to export.csv.")
    with (tmp_path / "export.csv").open(encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert len(rows) == shown and all(row["Company"] for row in rows)
