"""Marketing's screens: reference customers and their uses, and product feedback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed, Kind
from models.feedback import FeedbackCounts
from models.references import ReferenceRow, ReferenceUseRow
from ui.row_table import show_lines, text_list
from ui.tables import fill, read_only_table, rows_of, selected_row
from views.background import Background
from views.commanding import Commands, follow
from views.failure_text import failure_text


@dataclass(frozen=True)
class MarketingServices:
    references: Callable[[], list[ReferenceRow]]
    uses: Callable[[str], list[ReferenceUseRow]]
    record_use: Callable[[str, str, str, str], Changed[None]]
    feedback: Callable[[], FeedbackCounts]


class ReferencesView(QWidget):
    """Reference customers, the least used first, and every time each was used."""

    def __init__(self, services: MarketingServices, background: Background,
                 commands: Commands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background = services, background
        self._commands = commands
        heading = QLabel("Reference customers")
        heading.setObjectName("screenTitle")
        self.table = read_only_table(
            ("Customer", "Contact", "Agreed to", "Since", "Uses", "Last used"),
            cells=lambda r: (r.account, r.contact or "", ", ".join(r.kinds),
                             f"{r.agreed_at:%d %b %Y}", str(r.uses),
                             f"{r.last_used_at:%d %b %Y}" if r.last_used_at else "never"))
        self.uses = text_list()
        self.kind = QComboBox()
        self.used_for = QLineEdit(placeholderText="Used for: prospect, campaign or deal")
        self.note = QLineEdit(placeholderText="Note")
        self.record_button = record = QPushButton("Record a use")
        self.message = QLabel()
        form = QHBoxLayout()
        for widget in (self.kind, self.used_for, self.note, record):
            form.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 2)
        layout.addWidget(QLabel("Uses of the selected reference"))
        layout.addWidget(self.uses, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        record.clicked.connect(self.record)
        # A deal closed won with a reference adds a customer; a use recorded moves the order.
        follow(self, commands, (Kind.REFERENCE, Kind.OPPORTUNITY), lambda _c: self.refresh())

    def refresh(self) -> None:
        self._background.run("references", self._services.references, self._show)

    @property
    def _rows(self) -> list[ReferenceRow]:
        rows: list[ReferenceRow] = rows_of(self.table)
        return rows

    def _show(self, rows: list[ReferenceRow]) -> None:
        fill(self.table, rows)
        if rows:
            self.table.selectRow(0)
        else:
            self.message.setText("No reference customer yet: they come from Closed Won deals.")

    def current(self) -> ReferenceRow | None:
        chosen: ReferenceRow | None = selected_row(self.table)
        return chosen

    def _on_selection(self) -> None:
        row = self.current()
        if row is None:
            return
        self.kind.clear()
        self.kind.addItems(list(row.kinds))
        self._background.run("reference-uses", lambda: self._services.uses(row.id),
                             self._show_uses)

    def _show_uses(self, uses: list[ReferenceUseRow]) -> None:
        show_lines(self.uses, [f"{u.used_at:%d %b %Y}: {u.kind} for {u.used_for}"
                               f"{' — ' + u.note if u.note else ''}" for u in uses]
                   or ["Not used yet."])

    def record(self) -> None:
        row = self.current()
        if row is None:
            return
        values = (row.id, self.kind.currentText(), self.used_for.text(), self.note.text())
        self._commands.run("Record the reference's use",
                           lambda: self._services.record_use(*values), self._recorded,
                           lambda error: self.message.setText(failure_text(error)),
                           action=self.record_button, origin=self)

    def _recorded(self, _: object) -> None:
        self.used_for.clear()
        self.note.clear()
        self.message.setText("Use recorded.")
        self.refresh()


class FeedbackView(QWidget):
    """What prospects ask for and whom they compare us with, counted."""

    def __init__(self, services: MarketingServices, background: Background,
                 commands: Commands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background = services, background
        heading = QLabel("Product feedback")
        heading.setObjectName("screenTitle")
        self.features = read_only_table(("Requested feature", "Times asked"))
        self.competitors = read_only_table(("Competitor", "Times met"))
        self.notes = text_list()
        tables = QHBoxLayout()
        tables.addWidget(self.features)
        tables.addWidget(self.competitors)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(tables, 2)
        layout.addWidget(QLabel("Competitive information, newest last"))
        layout.addWidget(self.notes, 1)
        # Qualification and close forms add what prospects said.
        follow(self, commands, (Kind.LEAD, Kind.OPPORTUNITY), lambda _c: self.refresh())

    def refresh(self) -> None:
        self._background.run("feedback", self._services.feedback, self._show)

    def _show(self, counts: FeedbackCounts) -> None:
        fill(self.features, [(name, str(n)) for name, n in counts.features])
        fill(self.competitors, [(name, str(n)) for name, n in counts.competitors])
        show_lines(self.notes, counts.competitive_notes or [
            "Nothing yet: what prospects say about other vendors comes from the qualification "
            "form's Competitive info."])
