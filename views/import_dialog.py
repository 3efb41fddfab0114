"""Importing leads from a CSV file: pick the file, see how it was read, check or correct which
column fills which field, see each row's problems and the people already known, then import
every row (or, when asked, only the good ones). Reading, checking and importing run in the
background, so the window never freezes on a big file."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed
from models.imports.leads_import import ImportCheck, ImportReport, describe_known
from models.imports.mapping import LEAD_FIELDS, ColumnMapping, assign, guess_mapping
from models.imports.reading import MAX_ROWS, CsvTable, FileRefused
from ui.focus import ReadingOrder
from ui.tables import fill, read_only_table
from ui.theme import brush
from views.background import Background
from views.commanding import Commands

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
# The lists show this many lines; the summary counts them all.
LIST_LIMIT = 1_000
NOT_IMPORTED = "— not imported —"
# The theme's colour for each kind of row.
STATUS_COLOURS = {"ready": "good", "known": "warn", "problem": "problem"}


@dataclass(frozen=True)
class ImportServices:
    read: Callable[[Path], CsvTable]
    check: Callable[[CsvTable, ColumnMapping], ImportCheck]
    # (table, mapping, take the good rows, route each lead) → what was written
    run: Callable[[CsvTable, ColumnMapping, bool, bool], Changed[ImportReport]]


class ImportDialog(ReadingOrder, QDialog):
    imported = Signal(object)

    def __init__(self, services: ImportServices, background: Background, commands: Commands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background = services, background
        self._commands = commands
        self._path: Path | None = None
        self._table: CsvTable | None = None
        self._mapping: ColumnMapping = ()
        self._check: ImportCheck | None = None
        self._busy = False
        self._done = False
        self.setWindowTitle("Import leads")
        self.resize(1060, 720)
        self.file_label = QLabel(
            f"Choose a CSV file with one lead per row (at most {MAX_ROWS:,} rows).",
            wordWrap=True)
        self.choose_button = QPushButton("Choose file…")
        self.reload_button = QPushButton("Read again")
        self.reload_button.setToolTip("Read the file again after fixing it in a spreadsheet.")
        self.reload_button.setVisible(False)
        self.file_facts = QLabel(objectName="hint")
        self.preview = QTableWidget(0, 0)
        self.summary = QLabel(wordWrap=True)
        self.problems = read_only_table(("Row", "Column", "Problem"))
        self.duplicates = read_only_table(("Row", "Name", "Company", "Already in RepDesk as"))
        self.campaigns = read_only_table(("Row", "Column", "Campaign not known"))
        self.details = QTabWidget()
        self.take_good_rows = QCheckBox(
            "Import only the good rows and leave out the rows with problems")
        self.take_good_rows.setVisible(False)
        self.route = QCheckBox("Route each lead by the routing rules (otherwise: all to me)")
        self.import_button = QPushButton("Import")
        self.import_button.setEnabled(False)
        self.import_button.setDefault(True)
        self.close_button = QPushButton("Cancel")
        self.combos: list[QComboBox] = []
        self._build()
        self.choose_button.clicked.connect(self.choose_file)
        self.reload_button.clicked.connect(self.reload)
        self.take_good_rows.toggled.connect(lambda _: self._update_import_button())
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.reject)

    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.reload_button)
        top.addWidget(self.choose_button)
        self.preview.verticalHeader().setDefaultSectionSize(26)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.details.addTab(self.problems, "Problems")
        self.details.addTab(self.duplicates, "Already known")
        self.details.addTab(self.campaigns, "Campaigns not known")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.preview)
        splitter.addWidget(self.details)
        splitter.setSizes([380, 200])
        buttons = QHBoxLayout()
        buttons.addWidget(self.take_good_rows)
        buttons.addWidget(self.route)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Import leads", objectName="screenTitle"))
        layout.addLayout(top)
        layout.addWidget(self.file_facts)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)

    # -- reading ---------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import leads from a CSV file", str(self._path.parent if self._path else ""),
            "CSV files (*.csv *.txt *.tsv);;All files (*)")
        if path:
            self.load_file(Path(path))

    def reload(self) -> None:
        if self._path is not None:
            self.load_file(self._path)

    def load_file(self, path: Path) -> None:
        self._path, self._table, self._check = path, None, None
        self._done = False
        self.import_button.setVisible(True)
        self.take_good_rows.setEnabled(True)
        self.file_label.setText(str(path))
        self.reload_button.setVisible(True)
        self.file_facts.setText("")
        self._clear_lists()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        self._set_busy(True, f"Reading {path.name}…")
        self._background.run("import-read", lambda: self._services.read(path),
                             self._on_read, self._on_failed)

    def _on_read(self, table: CsvTable) -> None:
        self._table = table
        self._mapping = guess_mapping(table.header)
        self.file_facts.setText(
            f"Read as {table.encoding} · {table.delimiter_name}-separated · "
            f"{len(table.rows):,} row{'' if len(table.rows) == 1 else 's'} · "
            f"{len(table.header)} columns. Check the field each column is imported as.")
        self._fill_preview(table)
        self._recheck()

    def _fill_preview(self, table: CsvTable) -> None:
        shown = table.rows[:PREVIEW_ROWS]
        preview = self.preview
        preview.clear()
        preview.setColumnCount(len(table.header) + 1)
        preview.setRowCount(len(shown) + 1)
        # The check comes first, so it is in view however many columns the file has.
        preview.setHorizontalHeaderLabels(["Check", *table.header])
        preview.setVerticalHeaderLabels(["Import as", *(str(row.number) for row in shown)])
        preview.setColumnWidth(0, 260)
        self.combos = []
        for column in range(len(table.header)):
            combo = QComboBox()
            combo.addItem(NOT_IMPORTED, None)
            for field, label in LEAD_FIELDS.items():
                combo.addItem(label, field)
            combo.setCurrentIndex(max(combo.findData(self._mapping[column]), 0))
            combo.currentIndexChanged.connect(
                lambda _, column=column: self._on_mapping_chosen(column))
            preview.setCellWidget(0, column + 1, combo)
            preview.setColumnWidth(column + 1, 150)
            self.combos.append(combo)
        for line, row in enumerate(shown, start=1):
            for column, cell in enumerate(row.cells[:len(table.header)]):
                preview.setItem(line, column + 1, QTableWidgetItem(" ".join(cell.split())))

    def _on_mapping_chosen(self, column: int) -> None:
        field = self.combos[column].currentData()
        self._mapping = assign(self._mapping, column, field)
        for other, combo in enumerate(self.combos):
            if other != column and combo.currentData() != self._mapping[other]:
                combo.blockSignals(True)
                combo.setCurrentIndex(max(combo.findData(self._mapping[other]), 0))
                combo.blockSignals(False)
        self._recheck()

    # -- checking --------------------------------------------------------------------------
    def _recheck(self) -> None:
        table, mapping = self._table, self._mapping
        if table is None:
            return
        self._check = None
        self._set_busy(True, f"Checking {len(table.rows):,} rows…")
        self._background.run("import-check", lambda: self._services.check(table, mapping),
                             self._on_checked, self._on_failed)

    def _on_checked(self, check: ImportCheck) -> None:
        if check.table is not self._table or check.mapping != self._mapping:
            return
        self._set_busy(False)
        self._show_check(check)

    def _show_check(self, check: ImportCheck) -> None:
        self._check = check
        self._fill_status(check)
        self._fill_lists(check)
        self.take_good_rows.setVisible(bool(check.problems and check.ready))
        self._update_import_button()
        self._show_summary(check)

    def _show_summary(self, check: ImportCheck) -> None:
        text = check.summary()
        if check.missing:
            them = "them" if len(check.missing) > 1 else "it"
            text += f" In the “Import as” row, choose the column that holds {them}."
        elif check.problems:
            text += " Fix the rows with problems in the file and choose Read again"
            text += ", or import only the good rows." if check.ready else "."
        elif not check.ready:
            text += " Nothing left to import."
        self._say(text, "problem" if check.missing else "")

    def _fill_status(self, check: ImportCheck) -> None:
        for line in range(1, self.preview.rowCount()):
            number = int(self.preview.verticalHeaderItem(line).text())
            status = check.row_status(number) if not check.missing else ""
            item = QTableWidgetItem(status)
            # A ready row whose campaign is not known goes in: marked like a known person.
            kind = ("ready" if status == "ready" else "known"
                    if status.startswith(("already known", "ready;")) else "problem")
            item.setForeground(brush(STATUS_COLOURS[kind]))
            item.setToolTip(status)
            self.preview.setItem(line, 0, item)

    def _fill_lists(self, check: ImportCheck) -> None:
        fill(self.problems, [(str(p.row), p.column, p.message)
                             for p in check.problems[:LIST_LIMIT]])
        fill(self.duplicates, [(str(d.row), d.name, d.company, describe_known(d.matches[0]))
                               for d in check.duplicates[:LIST_LIMIT]])
        fill(self.campaigns, [(str(u.row), u.column, u.message())
                              for u in check.unknown_campaigns[:LIST_LIMIT]])
        for table in (self.problems, self.duplicates, self.campaigns):
            table.resizeColumnToContents(0)
            table.setColumnWidth(1, max(table.columnWidth(1), 160))
        self.details.setTabText(0, f"Problems ({len(check.problems):,})")
        self.details.setTabText(1, f"Already known ({len(check.duplicates):,})")
        self.details.setTabText(2, f"Campaigns not known ({len(check.unknown_campaigns):,})")
        if check.problems:
            self.details.setCurrentIndex(0)
        elif check.duplicates:
            self.details.setCurrentIndex(1)
        elif check.unknown_campaigns:
            self.details.setCurrentIndex(2)

    def _clear_lists(self) -> None:
        for table in (self.problems, self.duplicates, self.campaigns):
            fill(table, [])
        self.details.setTabText(0, "Problems")
        self.details.setTabText(1, "Already known")
        self.details.setTabText(2, "Campaigns not known")
        self.take_good_rows.setVisible(False)
        self.take_good_rows.setChecked(False)

    # -- importing -------------------------------------------------------------------------
    def _update_import_button(self) -> None:
        check = self._check
        ready = len(check.ready) if check else 0
        self.import_button.setText(f"Import {ready:,} lead{'' if ready == 1 else 's'}"
                                   if ready else "Import")
        self.import_button.setEnabled(
            not self._busy and not self._done and check is not None
            and check.can_import(self.take_good_rows.isChecked()))

    def start_import(self) -> None:
        table, mapping, check = self._table, self._mapping, self._check
        if table is None or check is None or not self.import_button.isEnabled():
            return
        take_good_rows, route = self.take_good_rows.isChecked(), self.route.isChecked()
        self._set_busy(True, f"Importing {len(check.ready):,} leads…")
        # A write: in order with the others, and the screens showing leads hear of it (the
        # screen that opened the dialog refreshes itself).
        self._commands.run("Import leads",
                           lambda: self._services.run(table, mapping, take_good_rows, route),
                           self._on_imported, self._on_failed, origin=self.parentWidget())

    def _on_imported(self, report: ImportReport) -> None:
        self._set_busy(False)
        if not report.written:
            self._show_check(report.check)
            self._say(report.summary(), "problem")
            return
        self._done = True
        for combo in self.combos:
            combo.setEnabled(False)
        self.take_good_rows.setEnabled(False)
        self.route.setEnabled(False)
        self.import_button.setVisible(False)
        self.close_button.setText("Close")
        self.close_button.setFocus()
        mine = "" if report.routed else " They are in your queue."
        self._say(f"{report.summary()}{mine}", "ready")
        self.imported.emit(report)

    # -- feedback --------------------------------------------------------------------------
    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, (FileRefused, ValueError, LookupError)):
            self._say(str(error), "problem")
        else:
            log.error("the import failed", exc_info=error)
            self._say(f"The import stopped on an unexpected error ({error}); nothing was "
                      "written. Please report it.", "problem")
        self._update_import_button()

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        for button in (self.choose_button, self.reload_button):
            button.setEnabled(not busy)
        for combo in self.combos:
            combo.setEnabled(not busy and not self._done)
        if busy:
            self._say(message)
        self._update_import_button()

    def _say(self, text: str, kind: str = "") -> None:
        # theme.qss colours the summary by its kind
        self.summary.setProperty("kind", kind)
        self.summary.style().polish(self.summary)
        self.summary.setText(text)

    def summary_text(self) -> str:
        return self.summary.text()

    def busy(self) -> bool:
        """Reading, checking or importing is under way."""
        return self._busy
