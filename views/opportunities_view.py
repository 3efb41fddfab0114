"""The AE's opportunities: the list, one deal with its source lead's history, and the way to
the single close form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from html import escape

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed, Kind
from models.closing import CloseSaved, HandoffDelivery
from models.opportunities import OpportunityDetail, OpportunityRow, ProductChoice
from ui.columns import ColumnFit
from ui.dates import date_field
from ui.keys import shortcut
from ui.list_detail import ListWithDetail, stacked
from ui.row_table import RowTableModel, row_table
from ui.tables import fit_to_contents
from views.background import Background
from views.close_form import CloseForm, CloseServices
from views.commanding import Commands, follow
from views.deal_mail import DealMailServices, offer_deal_mail
from views.failure_text import failure_text
from views.last_dialog import LastDialog

# What the close form offers: the products, and the reason codes for won and for lost.
CloseCatalogue = tuple[list[ProductChoice], dict[str, list[tuple[str, str]]]]

COLUMNS = ("Opportunity", "Account", "Stage", "Amount", "Close date", "Next step", "Age")


@dataclass(frozen=True)
class OpportunityServices:
    rows: Callable[[bool], list[OpportunityRow]]
    detail: Callable[[str], OpportunityDetail | None]
    deliveries: Callable[[str], list[HandoffDelivery]]
    create: Callable[[str, date], Changed[str]]
    close: CloseServices
    mail: DealMailServices | None = None


def detail_html(opportunity: OpportunityDetail, handoffs: list[HandoffDelivery]) -> str:
    row = opportunity.row
    amount = f"{row.amount:,.2f}" if row.amount is not None else "—"
    parts = [
        f"<h2>{escape(row.name)}</h2>",
        f"<p>{escape(row.account or 'No account')} · <b>{escape(row.stage)}</b> · {amount}"
        f" · closes {row.close_date or '—'} · {row.age_days} days old"
        f" · owner {escape(opportunity.owner or '—')}</p>",
        f"<p><b>Next step:</b> {escape(row.next_step or '—')}</p>",
    ]
    if opportunity.close_reason_code:
        parts.append(f"<p><b>Closed</b> {opportunity.closed_at:%d %b %Y} · "
                     f"{escape(opportunity.close_reason_code)} · competitor "
                     f"{escape(opportunity.competitor or '—')}</p>")
    if opportunity.lines:
        items = "".join(f"<li>{q} × {escape(n)} at {p:,.2f}</li>"
                        for n, q, p in opportunity.lines)
        parts.append(f"<h3>Products</h3><ul>{items}</ul>")
    if handoffs:
        items = "".join(
            f"<li><b>{escape(h.team)}</b>: {escape(h.kind)} → {escape(h.addressed_to)}"
            f"{f', due {h.due_at.astimezone():%a %d %b %H:%M}' if h.due_at else ''}"
            f" — <i>{escape(h.state)}</i></li>" for h in handoffs)
        parts.append(f"<h3>Hand-offs from the close</h3><ul>{items}</ul>")
    parts.append(f"<h3>History ({len(opportunity.history)})</h3>")
    items = "".join(f"<li>{a.occurred_at.astimezone():%d %b %Y} {escape(a.kind)}: "
                    f"{escape(a.subject)}</li>" for a in opportunity.history)
    parts.append(f"<ul>{items}</ul>" if items else "<p>No activity yet.</p>")
    return "".join(parts)


def _cells(row: OpportunityRow) -> tuple[str, ...]:
    return (row.name, row.account or "", row.stage,
            f"{row.amount:,.0f}" if row.amount is not None else "",
            str(row.close_date or ""), row.next_step or "", f"{row.age_days} d")


class OpportunitiesView(QWidget):
    mailto_requested = Signal(str)

    def __init__(self, services: OpportunityServices, background: Background,
                 commands: Commands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background = services, background
        self._commands = commands
        self._model: RowTableModel[OpportunityRow] = RowTableModel(COLUMNS, _cells)
        self._detail: OpportunityDetail | None = None
        # Read off the UI thread with the first rows, so the close form opens without a read.
        self._catalogue: CloseCatalogue | None = None
        self._message_about: str | None = None  # the deal the message under the list is about
        self.include_closed = QCheckBox("Show closed deals")
        self.new_name = QLineEdit(placeholderText="New opportunity name")
        self.new_close = date_field()
        self.new_close.setDate(QDate.currentDate().addMonths(2))
        self.create_button = QPushButton("Create")
        self.close_button = QPushButton("Close deal…  (Ctrl+K)")
        self.close_button.setEnabled(False)
        self.email_button = QPushButton("E-mail…  (Ctrl+E)")
        self.email_button.setEnabled(False)
        self.message = QLabel()
        self.table = row_table(self._model)
        # Next step and account are in the panel beside: they give way first.
        ColumnFit(self.table, self.table.horizontalHeader(), drop_order=(5, 1), drop_to_want=True)
        self.detail = QTextBrowser()
        self.close_form: CloseForm | None = None
        self._last_form: LastDialog[CloseForm] = LastDialog()
        top = QHBoxLayout()
        top.addWidget(self.include_closed)
        top.addStretch(1)
        top.addWidget(self.new_name)
        top.addWidget(self.new_close)
        top.addWidget(self.create_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.email_button)
        splitter = ListWithDetail(
            "dealsDivider", self.table, stacked([buttons, self.detail], grows=self.detail),
            sizes=(760, 520), least=(360, 300))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        self.include_closed.toggled.connect(lambda _: self.refresh())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        self.create_button.clicked.connect(self.create)
        self.close_button.clicked.connect(self.open_close_form)
        shortcut(self, "Ctrl+K", self.open_close_form, "Close the selected deal (won or lost)",
                 "Opportunities", Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.deal_mail = offer_deal_mail(
            self, services.mail, background, commands, self.email_button, self.message,
            self.mailto_requested, "Opportunities",
            lambda: row.id if (row := self.current()) else None)
        # An accepted hand-off opens a deal; a sync may change any.
        follow(self, commands, (Kind.OPPORTUNITY, Kind.HANDOFF), lambda _c: self.refresh(
            select=row.id if (row := self.current()) else None))
        follow(self, commands, (Kind.CATALOGUE,), self._forget_catalogue, skip_own=False)

    @property
    def _rows(self) -> list[OpportunityRow]:
        return self._model.rows

    def refresh(self, select: str | None = None) -> None:
        if self._catalogue is None:
            close = self._services.close
            self._background.run(
                "close-catalogue",
                lambda: (close.products(), {o: close.reasons(o) for o in ("won", "lost")}),
                self._keep_catalogue)
        closed = self.include_closed.isChecked()
        self._background.run("opportunities", lambda: self._services.rows(closed),
                             lambda rows: self._show(rows, select))

    def _show(self, rows: list[OpportunityRow], select: str | None) -> None:
        # Row numbers now point at other deals: selecting afresh loads the chosen one's detail
        # even when it sits on the row that was selected before.
        self.table.clearSelection()
        self._model.set_rows(rows)
        fit_to_contents(self.table)
        ids = [row.id for row in rows]
        if rows:
            self.table.selectRow(ids.index(select) if select in ids else 0)
        else:
            self.detail.setHtml("<p>No open opportunity. Accept a hand-off or create one.</p>")

    def _keep_catalogue(self, catalogue: CloseCatalogue) -> None:
        self._catalogue = catalogue

    def _forget_catalogue(self, _changes: object) -> None:
        self._catalogue = None  # reason codes or products changed: read again with the rows
        self.refresh(select=row.id if (row := self.current()) else None)

    def _close_services(self) -> CloseServices:
        """The close form's services, answering the catalogue from what was read ahead."""
        close = self._services.close
        if self._catalogue is None:
            return close
        products, reasons = self._catalogue
        return replace(close, products=lambda: products,
                       reasons=lambda outcome: reasons.get(outcome) or close.reasons(outcome))

    def current(self) -> OpportunityRow | None:
        selected = self.table.selectionModel().selectedRows()
        return self._model.rows[selected[0].row()] if selected else None

    def _on_selection(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.id != self._message_about:
            # "Closed won: …" said of another deal would read as said of this one.
            self.message.clear()
            self._message_about = row.id
        self._background.run(
            "opportunity-detail",
            lambda: (self._services.detail(row.id), self._services.deliveries(row.id)),
            self._show_detail)

    def _show_detail(self, loaded: tuple[OpportunityDetail | None,
                                         list[HandoffDelivery]]) -> None:
        detail, handoffs = loaded
        self._detail = detail
        self.close_button.setEnabled(detail is not None and not detail.row.is_closed)
        self.email_button.setEnabled(detail is not None and self.deal_mail is not None)
        if detail is not None:
            self.detail.setHtml(detail_html(detail, handoffs))

    def write_email(self) -> None:
        row = self.current()
        if self.deal_mail is not None and row is not None:
            self.deal_mail.open(row.id)

    def create(self) -> None:
        close_on = self.new_close.date().toPython()
        assert isinstance(close_on, date)
        name = self.new_name.text()
        self._commands.run("Create the opportunity",
                           lambda: self._services.create(name, close_on), self._created,
                           lambda error: self.message.setText(failure_text(error)),
                           action=self.create_button, origin=self)

    def _created(self, created: str) -> None:
        self.new_name.clear()
        self.message.setText("Opportunity created.")
        self._message_about = created
        self.refresh(select=created)

    def open_close_form(self) -> CloseForm | None:
        if self._detail is None or self._detail.row.is_closed:
            return None
        form = self._last_form.opened(
            CloseForm(self._detail, self._close_services(), self._commands,
                      self._background, self))
        form.closed.connect(self._after_close)
        self.close_form = form
        form.open()
        return form

    def _after_close(self, saved: CloseSaved) -> None:
        self._message_about = saved.opportunity_id
        teams = len(saved.handoffs)
        self.message.setText(
            f"Closed {saved.outcome}: {saved.amount:,.2f}; {teams} team"
            f"{'s' if teams != 1 else ''} told what to do (sent with the next sync)."
            if saved.outcome == "won" else "Closed lost; the account's contacts return to "
            "nurture.")
        self.include_closed.setChecked(True)
        self.refresh(select=saved.opportunity_id)
