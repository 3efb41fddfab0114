"""The AE's pipeline: open deals grouped by stage with their totals, past close dates flagged,
and a deal moved (Alt+Right / Alt+Left) or edited (stage, amount, close date, next step;
Ctrl+S) from the keyboard, every change shown with who made it and when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed, Kind
from models.deals import DealChangeRecord, DealEdit, DealError, DealStage, PipelineRow, StageGroup
from ui.columns import ColumnFit
from ui.dates import date_field
from ui.keys import shortcut
from ui.list_detail import ListWithDetail
from ui.theme import brush, coloured
from views.background import Background
from views.commanding import Commands, follow
from views.deal_mail import DealMailServices, offer_deal_mail
from views.failure_text import failure_text

COLUMNS = ("Deal", "Account", "Amount", "Close date", "Next step", "Owner")
DEAL_WIDTH = 260
LEAST_WIDTHS = {0: 170, 1: 120, 2: 90, 3: 95, 4: 120, 5: 100}
PAST = brush("problem")


@dataclass(frozen=True)
class PipelineServices:
    groups: Callable[[bool], list[StageGroup]]
    open_stages: Callable[[], list[str]]
    move: Callable[[str, str], Changed[DealStage]]
    step: Callable[[str, int], Changed[DealStage]]
    edit: Callable[[str, DealEdit], Changed[tuple[str, ...]]]
    changes: Callable[[str], list[DealChangeRecord]]
    today: Callable[[], date]
    mail: DealMailServices | None = None


def money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def group_title(group: StageGroup) -> str:
    count = len(group.rows)
    return (f"{group.stage} · {group.probability:.0f} % · {count} deal{'s' * (count != 1)} · "
            f"{money(group.amount)} · weighted {money(group.weighted)}")


def change_line(change: DealChangeRecord) -> str:
    label = change.field.replace("_", " ")
    return (f"{change.changed_at.astimezone():%d %b %H:%M} {change.by or 'someone'}: {label} "
            f"{change.from_value or '—'} → {change.to_value or '—'}")


class PipelineView(QWidget):
    mailto_requested = Signal(str)

    def __init__(self, services: PipelineServices, background: Background,
                 commands: Commands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background, self._commands = services, background, commands
        self._rows: dict[str, PipelineRow] = {}
        self.include_closed = QCheckBox("Show closed deals")
        self.totals = QLabel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.stage = QComboBox()
        self.stage.addItems(services.open_stages())
        self.amount = QDoubleSpinBox(maximum=1e12, decimals=2, singleStep=1000)
        self.amount.setGroupSeparatorShown(True)
        self.close_date = date_field()
        self.next_step = QLineEdit(placeholderText="What happens next, and when")
        self.save_button = QPushButton("Save  (Ctrl+S)")
        self.email_button = QPushButton("E-mail the contact…  (Ctrl+E)")
        self.history = QListWidget()
        self.message = QLabel()
        self.message.setObjectName("queueMessage")
        self.message.setWordWrap(True)
        self._layout()
        self.include_closed.toggled.connect(lambda _: self.refresh())
        self.tree.itemSelectionChanged.connect(self._on_selection)
        self.save_button.clicked.connect(self.save)
        self.stage.activated.connect(lambda _: self.move_to(self.stage.currentText()))
        for keys, slot, says in (("Alt+Right", lambda: self.step(1), "Move the deal a stage on"),
                                 ("Alt+Left", lambda: self.step(-1), "Move the deal a stage back"),
                                 ("Ctrl+S", self.save, "Save the deal's amount, date and step")):
            shortcut(self, keys, slot, says, "Pipeline by stage",
                     Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.deal_mail = offer_deal_mail(
            self, services.mail, background, commands, self.email_button, self.message,
            self.mailto_requested, "Pipeline by stage", self.current_id)
        # Deals moved anywhere (a hand-off accepted, a deal closed, a sync) show here.
        follow(self, commands, (Kind.OPPORTUNITY, Kind.HANDOFF), lambda _c: self.refresh())

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.totals, 1)
        top.addWidget(self.include_closed)
        panel = QWidget()
        form = QFormLayout(panel)
        form.addRow("Stage (Alt+←/→)", self.stage)
        form.addRow("Amount", self.amount)
        form.addRow("Close date", self.close_date)
        form.addRow("Next step", self.next_step)
        form.addRow(self.save_button)
        form.addRow(self.email_button)
        form.addRow(QLabel("Changes"))
        form.addRow(self.history)
        # The columns share the tree's width; when they cannot all have the width they
        # would like, the next step (edited in the panel beside) and then the owner give way.
        self.columns = ColumnFit(self.tree, self.tree.header(), drop_order=(4, 5),
                                 least=LEAST_WIDTHS, drop_to_want=True)
        splitter = ListWithDetail("pipelineDivider", self.tree, panel, sizes=(820, 460),
                                  least=(420, 280))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)

    def refresh(self, select: str | None = None) -> None:
        closed = self.include_closed.isChecked()
        keep = select or self.current_id()
        self._background.run("pipeline", lambda: self._services.groups(closed),
                             lambda groups: self._show(groups, keep))

    def _show(self, groups: list[StageGroup], select: str | None) -> None:
        self.tree.clear()
        self._rows = {}
        chosen: QTreeWidgetItem | None = None
        for group in groups:
            parent = QTreeWidgetItem([group_title(group)])
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            self.tree.addTopLevelItem(parent)
            parent.setFirstColumnSpanned(True)  # only once it is in the tree
            for row in group.rows:
                past = " · PAST" if row.past_close_date else ""
                item = QTreeWidgetItem([row.name, row.account or "", money(row.amount),
                                        f"{row.close_date or ''}{past}", row.next_step or "",
                                        row.owner or ""])
                item.setData(0, Qt.ItemDataRole.UserRole, row.id)
                item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight)
                if row.past_close_date:
                    item.setForeground(3, PAST)
                    item.setToolTip(3, "The expected close date has passed: move it or close "
                                       "the deal.")
                parent.addChild(item)
                self._rows[row.id] = row
                if row.id == select or chosen is None:
                    chosen = item
            parent.setExpanded(True)
        self.columns.want_contents()
        self.columns.want({0: DEAL_WIDTH})  # group titles span it: their width is not the deal's
        total = sum(g.amount for g in groups)
        weighted = sum(g.weighted for g in groups)
        late = sum(r.past_close_date for r in self._rows.values())
        self.totals.setText(f"<b>{len(self._rows)}</b> deals · {money(total)} · weighted "
                            f"{money(weighted)} · "
                            + coloured(f"{late} past their close date", "problem"))
        if chosen is not None:
            self.tree.setCurrentItem(chosen)

    def current_id(self) -> str | None:
        item = self.tree.currentItem()
        value = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        return str(value) if value else None

    def _on_selection(self) -> None:
        deal_id = self.current_id()
        row = self._rows.get(deal_id or "")
        if row is None:
            return
        self.stage.setCurrentIndex(max(self.stage.findText(row.stage), 0))
        self.amount.setValue(row.amount or 0.0)
        close = row.close_date or self._services.today()
        self.close_date.setDate(QDate(close.year, close.month, close.day))
        self.next_step.setText(row.next_step or "")
        self._background.run("pipeline-changes", lambda: self._services.changes(row.id),
                             self._show_changes)

    def _show_changes(self, changes: list[DealChangeRecord]) -> None:
        self.history.clear()
        self.history.addItems([change_line(c) for c in changes] or ["No change yet."])

    def _write(self, deal_id: str, action: Callable[[], Changed[Any]], done: str) -> None:
        def finished(_result: Any) -> None:
            self.message.setText(done)
            self.refresh(select=deal_id)

        def failed(error: BaseException) -> None:
            self.message.setText(str(error) if isinstance(error, DealError)
                                 else failure_text(error))

        # Each change is its own write, in the order made.
        self._commands.run("Change the deal", action, finished, failed,
                           action=self.save_button, origin=self)

    def step(self, steps: int) -> None:
        deal_id = self.current_id()
        if deal_id is None:
            return
        self._write(deal_id, lambda: self._services.step(deal_id, steps),
                    "Stage changed; it goes to the CRM with the next sync.")

    def move_to(self, stage: str) -> None:
        deal_id = self.current_id()
        row = self._rows.get(deal_id or "")
        if row is None or deal_id is None or row.stage == stage:
            return
        self._write(deal_id, lambda: self._services.move(deal_id, stage),
                    f"Moved to {stage}; it goes to the CRM with the next sync.")

    def write_email(self) -> None:
        if self.deal_mail is not None:
            self.deal_mail.open(self.current_id())

    def save(self) -> None:
        deal_id = self.current_id()
        if deal_id is None:
            return
        close_on = self.close_date.date().toPython()
        assert isinstance(close_on, date)
        amount = self.amount.value()
        edit = DealEdit(amount if amount else None, close_on, self.next_step.text())
        self._write(deal_id, lambda: self._services.edit(deal_id, edit), "Deal saved.")
