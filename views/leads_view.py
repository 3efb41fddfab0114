"""The Leads screen: a search box, a table that opens at once on any number of leads, the
panel of the selected lead, and the ways leads come in and go out: New lead (Ctrl+N), Import
and Export of CSV files."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changes, Kind
from models.imports.export import ExportReport
from models.imports.leads_import import ImportReport
from models.leads import LeadDirectory
from models.records import LeadDetail
from ui.columns import ColumnFit
from ui.keys import shortcut
from ui.list_detail import ListWithDetail, stacked
from views.background import Background
from views.commanding import Commands, follow
from views.import_dialog import ImportDialog, ImportServices
from views.itemmodels.lead_table_model import Column, LeadTableModel
from views.lead_panel import LeadPanel
from views.new_lead_dialog import NewLeadDialog, NewLeadServices

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
COLUMN_WIDTHS = {Column.NAME: 150, Column.COMPANY: 210, Column.TITLE: 170, Column.STAGE: 95,
                 Column.PERSONA: 100, Column.COUNTRY: 60, Column.PHONE: 125,
                 Column.EMAIL: 220, Column.OWNER: 130, Column.CREATED: 120}
# Below these a column stops being readable; the panel beside the table shows every field.
LEAST_WIDTHS = {Column.NAME: 120, Column.COMPANY: 150, Column.TITLE: 110, Column.STAGE: 95,
                Column.PERSONA: 90, Column.COUNTRY: 55, Column.PHONE: 115, Column.EMAIL: 170,
                Column.OWNER: 100, Column.CREATED: 100}
# Hidden first when the table is narrow (a 1366-px screen): least needed to pick a lead.
DROPPED_FIRST = (Column.CREATED, Column.COUNTRY, Column.PERSONA, Column.OWNER, Column.TITLE,
                 Column.PHONE)


@dataclass(frozen=True)
class LeadEntryServices:
    """How leads come in and go out: one typed, a CSV file imported, a search exported."""

    new_lead: NewLeadServices
    imports: ImportServices
    # (file, search text) → what was written
    export: Callable[[Path, str], ExportReport]


class LeadsView(QWidget):
    qualify_requested = Signal(str)
    email_requested = Signal(str)
    edit_requested = Signal(str)
    meetings_requested = Signal(str)  # book, log or mark the lead's meetings
    leads_shown = Signal(int)
    lead_opened = Signal(str)
    # New leads were written (typed or imported): counts elsewhere may have changed.
    leads_added = Signal(int)

    def __init__(self, directory: LeadDirectory, background: Background,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 entry: LeadEntryServices | None = None,
                 parent: QWidget | None = None, commands: Commands | None = None) -> None:
        super().__init__(parent)
        self._commands = commands
        self._now = now
        self._directory = directory
        self._background = background
        self._entry = entry
        self._shown: str | None = None
        self._select_after_search: str | None = None
        self.new_lead_dialog: NewLeadDialog | None = None
        self.import_dialog: ImportDialog | None = None
        self.search_box = QLineEdit(placeholderText="Search name, company or e-mail  (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.notice = QLabel(objectName="hint")
        self.new_lead_button = QPushButton("New lead…  (Ctrl+N)")
        self.import_button = QPushButton("Import…")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the leads the search shows to a CSV file.")
        self.model = LeadTableModel(directory.rows)
        self.table = QTableView()
        self.table.setModel(self.model)
        self._configure_table()
        if commands is not None:
            # A touch, a qualification, a merge or a sync changes the rows on view: their
            # stage, owner, last touch.
            follow(self, commands, (Kind.LEAD, Kind.TOUCH), self._rows_changed)
        self.panel = LeadPanel()
        self.qualify_button = QPushButton("Qualify…  (Ctrl+Q)")
        self.qualify_button.setEnabled(False)
        self.qualify_button.clicked.connect(self.qualify)
        shortcut(self, "Ctrl+Q", self.qualify, "Qualify the selected lead", "Leads",
                 Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.email_button = QPushButton("E-mail…  (Ctrl+E)")
        self.email_button.setEnabled(False)
        self.email_button.clicked.connect(self.write_email)
        shortcut(self, "Ctrl+E", self.write_email, "E-mail the selected lead", "Leads",
                 Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.edit_button = QPushButton("Edit…  (F2)")
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self.edit)
        shortcut(self, "F2", self.edit, "Edit the selected lead's contact details", "Leads",
                 Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self, "Ctrl+M", lambda: self._shown and self.meetings_requested.emit(
            self._shown), "Meetings of the selected lead: book, log by hand, held or no-show",
            "Leads", Qt.ShortcutContext.WidgetWithChildrenShortcut)
        actions = QHBoxLayout()
        actions.addWidget(self.qualify_button)
        actions.addWidget(self.email_button)
        actions.addWidget(self.edit_button)
        splitter = ListWithDetail("leadsDivider", self.table,
                                  stacked([actions, self.panel], grows=self.panel),
                                  sizes=(780, 420), least=(400, 300))
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        for button in (self.new_lead_button, self.import_button, self.export_button):
            top.addWidget(button)
            button.setVisible(entry is not None)
        layout.addLayout(top)
        counts = QHBoxLayout()
        counts.addWidget(self.count_label)
        counts.addWidget(self.notice, 1)
        layout.addLayout(counts)
        layout.addWidget(splitter, 1)
        self._connect_entry()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_now)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self.search_now)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

    def _configure_table(self) -> None:
        table = self.table
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        # Fixed row heights and column widths: sizing to contents would read every row.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(26)
        # The columns share the table's width: none runs off to the right.
        self.columns = ColumnFit(table, table.horizontalHeader(), COLUMN_WIDTHS,
                                 DROPPED_FIRST, LEAST_WIDTHS)

    def search_now(self) -> None:
        self._search_timer.stop()
        text = self.search_box.text()
        self._background.run("lead-search", lambda: self._directory.search(text),
                             self._show_ids)

    def _show_ids(self, ids: list[str]) -> None:
        self.model.set_ids(ids)
        self.count_label.setText(f"{len(ids):,} lead{'' if len(ids) == 1 else 's'}" if ids
                                 else "No lead matches the search.")
        self.leads_shown.emit(len(ids))
        wanted, self._select_after_search = self._select_after_search, None
        if ids:
            self.table.selectRow(ids.index(wanted) if wanted in ids else 0)
        else:
            self.panel.show_nothing()

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = selected.indexes()
        if not rows:
            return
        lead_id = self.model.lead_id(rows[0].row())
        self._background.run("lead-detail", lambda: self._directory.detail(lead_id),
                             self._show_detail)

    def _show_detail(self, lead: LeadDetail | None) -> None:
        if lead is None:
            self.panel.show_nothing()
            return
        self.panel.show_lead(lead, self._now())
        self._shown = lead.id
        self.qualify_button.setEnabled(True)
        self.email_button.setEnabled(True)
        self.edit_button.setEnabled(True)
        self.lead_opened.emit(lead.id)

    @property
    def shown_lead_id(self) -> str | None:
        """The lead whose panel is open."""
        return self._shown

    def edit(self) -> None:
        if self._shown:
            self.edit_requested.emit(self._shown)

    def write_email(self) -> None:
        if self._shown:
            self.email_requested.emit(self._shown)

    def qualify(self) -> None:
        if self._shown:
            self.qualify_requested.emit(self._shown)

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def refresh(self, *_: Any) -> None:
        """Read the rows again (a save, a sync), keeping the open lead open."""
        self._select_after_search = self._select_after_search or self._shown
        self.search_now()

    def show_lead(self, lead_id: str, search: str = "") -> None:
        """Search for ``search`` and select the lead ``lead_id`` among the results."""
        self._select_after_search = lead_id
        self.search_box.blockSignals(True)
        self.search_box.setText(search)
        self.search_box.blockSignals(False)
        self.search_now()

    # -- leads in and out ------------------------------------------------------------------
    def _connect_entry(self) -> None:
        if self._entry is None:
            return
        self.new_lead_button.clicked.connect(self.new_lead)
        shortcut(self, "Ctrl+N", self.new_lead, "Enter a new lead", "Leads",
                 Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.import_button.clicked.connect(self.import_leads)
        self.export_button.clicked.connect(self.choose_export_file)

    def new_lead(self) -> NewLeadDialog | None:
        if self._entry is None or self._commands is None:
            return None
        earlier = self.new_lead_dialog
        if earlier is not None and (earlier.isVisible() or earlier.kept_typing()):
            # Closed without saving: what was typed comes back rather than being lost.
            earlier.open()
            earlier.activateWindow()
            return earlier
        dialog = NewLeadDialog(self._entry.new_lead, self._commands, self)
        self._background.run("campaign-names", self._entry.new_lead.campaigns,
                             dialog.offer_campaigns)
        dialog.lead_created.connect(self._after_new_lead)
        dialog.known_lead_chosen.connect(lambda lead_id, name: self.show_lead(lead_id, name))
        self.new_lead_dialog = dialog
        dialog.open()
        return dialog

    def _after_new_lead(self, lead_id: str) -> None:
        self.notice.setText("Lead created; it is in your queue.")
        self.show_lead(lead_id, "")
        self.leads_added.emit(1)

    def _rows_changed(self, changes: Changes) -> None:
        self.model.forget()
        if self._shown is not None and (not changes.records or self._shown in changes.records):
            shown = self._shown
            self._background.run("lead-detail", lambda: self._directory.detail(shown),
                                 self._show_detail)

    def import_leads(self) -> ImportDialog | None:
        if self._entry is None or self._commands is None:
            return None
        dialog = ImportDialog(self._entry.imports, self._background, self._commands, self)
        dialog.imported.connect(self._after_import)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _after_import(self, report: ImportReport) -> None:
        self.notice.setText(report.summary())
        self.refresh()
        self.leads_added.emit(len(report.lead_ids))

    def choose_export_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export leads to a CSV file", "leads.csv",
                                              "CSV files (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the leads the current search shows to ``path`` (a .csv is added if missing)."""
        if self._entry is None:
            return
        if not path.suffix:
            path = path.with_suffix(".csv")
        export, search = self._entry.export, self.search_box.text()
        self.export_button.setEnabled(False)
        self.notice.setText(f"Exporting to {path.name}…")
        self._background.run("lead-export", lambda: export(path, search), self._exported,
                             self._export_failed)

    def _exported(self, report: ExportReport) -> None:
        self.export_button.setEnabled(True)
        self.notice.setText(report.summary())

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        if not isinstance(error, OSError):
            log.error("the export failed", exc_info=error)
        self.notice.setText(f"The export was not written: {error}. Choose another folder "
                            "or file name.")
