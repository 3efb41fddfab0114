"""The Leads screen: a search box, a table that opens at once on any number of leads, and the
panel of the selected lead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.leads import LeadDirectory
from models.records import LeadDetail
from views.background import Background
from views.itemmodels.lead_table_model import Column, LeadTableModel
from views.lead_panel import LeadPanel

SEARCH_DELAY_MS = 150
COLUMN_WIDTHS = {Column.NAME: 150, Column.COMPANY: 210, Column.TITLE: 170, Column.STAGE: 80,
                 Column.PERSONA: 100, Column.COUNTRY: 60, Column.PHONE: 125,
                 Column.EMAIL: 220, Column.OWNER: 130, Column.CREATED: 120}


class LeadsView(QWidget):
    qualify_requested = Signal(str)
    email_requested = Signal(str)
    leads_shown = Signal(int)
    lead_opened = Signal(str)

    def __init__(self, directory: LeadDirectory, background: Background,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self._directory = directory
        self._background = background
        self._shown: str | None = None
        self.search_box = QLineEdit(placeholderText="Search name, company or e-mail  (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.model = LeadTableModel(directory.rows)
        self.table = QTableView()
        self.table.setModel(self.model)
        self._configure_table()
        self.panel = LeadPanel()
        self.qualify_button = QPushButton("Qualify…  (Ctrl+Q)")
        self.qualify_button.setEnabled(False)
        self.qualify_button.clicked.connect(self.qualify)
        QShortcut(QKeySequence("Ctrl+Q"), self, self.qualify,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.email_button = QPushButton("E-mail…  (Ctrl+E)")
        self.email_button.setEnabled(False)
        self.email_button.clicked.connect(self.write_email)
        QShortcut(QKeySequence("Ctrl+E"), self, self.write_email,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        actions = QHBoxLayout()
        actions.addWidget(self.qualify_button)
        actions.addWidget(self.email_button)
        side_layout.addLayout(actions)
        side_layout.addWidget(self.panel, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([780, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_box)
        layout.addWidget(self.count_label)
        layout.addWidget(splitter, 1)
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
        table.horizontalHeader().setStretchLastSection(True)
        for column, width in COLUMN_WIDTHS.items():
            table.setColumnWidth(column, width)

    def search_now(self) -> None:
        self._search_timer.stop()
        text = self.search_box.text()
        self._background.run("lead-search", lambda: self._directory.search(text),
                             self._show_ids)

    def _show_ids(self, ids: list[str]) -> None:
        self.model.set_ids(ids)
        self.count_label.setText(f"{len(ids):,} leads" if ids else "No lead matches the search.")
        self.leads_shown.emit(len(ids))
        if ids:
            self.table.selectRow(0)
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
        self.lead_opened.emit(lead.id)

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
        self.search_now()
