"""The single close form: one form for Closed Won and Closed Lost.

Won: products and quantities, contract term, support contract, billing contact and invoice
details, technical contacts (picked or created), the reference, the competitor displaced and a
win reason. Lost: a loss reason, the competitor that won, notes. Ctrl+Enter saves; Esc keeps a
draft; messages appear under each field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changed
from models.closing import CloseDraft, CloseSaved, LineItem, NewContact
from models.opportunities import OpportunityDetail, ProductChoice
from ui.field import FieldWithMessage
from ui.fit import fit_on_screen, scrolling
from ui.keys import shortcut
from views.background import Background
from views.commanding import Commands
from views.draft_form import DraftForm

ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class CloseServices:
    products: Callable[[], list[ProductChoice]]
    reasons: Callable[[str], list[tuple[str, str]]]
    settings: Callable[[], dict[str, Any]]
    problems: Callable[[CloseDraft], dict[str, str]]
    save: Callable[[str, CloseDraft], Changed[CloseSaved]]
    load_draft: Callable[[str], dict[str, Any] | None]
    save_draft: Callable[[str, dict[str, Any]], Changed[None]]
    discard_draft: Callable[[str], Changed[None]]




class CloseForm(DraftForm):
    closed = Signal(object)

    def __init__(self, opportunity: OpportunityDetail, services: CloseServices,
                 commands: Commands, background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(opportunity.row.id, services.load_draft, services.save_draft,
                         services.discard_draft, commands, background, parent)
        self._opportunity, self._services = opportunity, services
        self._settings = services.settings()
        self._products = services.products()
        self.setWindowTitle(f"Close {opportunity.row.name}")
        fit_on_screen(self, 820, 860)
        self.won = QRadioButton("Closed Won  (Alt+W)")
        self.lost = QRadioButton("Closed Lost  (Alt+L)")
        self.outcome = QButtonGroup(self)
        self.outcome.addButton(self.won)
        self.outcome.addButton(self.lost)
        self.reason = QComboBox()
        self.competitor = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(54)
        self.features = QLineEdit(placeholderText="Requested features, separated by commas")
        self.lines = QTableWidget(0, 3)
        self.lines.setHorizontalHeaderLabels(["Product", "Quantity", "Unit price"])
        self.lines.horizontalHeader().setStretchLastSection(True)
        self.lines.setColumnWidth(0, 300)
        self.add_line = QPushButton("Add product")
        self.total = QLabel()
        self.term = QComboBox()
        self.support = QComboBox()
        self.payment = QComboBox()
        for box, key, suffix in ((self.term, "contract_terms_months", " months"),
                                 (self.support, "support_contracts", ""),
                                 (self.payment, "payment_terms", "")):
            box.addItem("— choose —", None)
            for value in self._settings[key]:
                box.addItem(f"{value}{suffix}", value)
        self.billing = QComboBox()
        self.billing.addItem("— choose the billing contact —", None)
        self.new_billing = QLineEdit(placeholderText="…or a new one: First Last, e-mail")
        self.po_number = QLineEdit()
        self.technical = QListWidget()
        for contact in opportunity.contacts:
            item = QListWidgetItem(f"{contact.name} — {contact.title or ''} {contact.email or ''}")
            item.setData(ID_ROLE, contact.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if contact.is_technical
                               else Qt.CheckState.Unchecked)
            self.technical.addItem(item)
            self.billing.addItem(contact.name, contact.id)
            if contact.is_billing and self.billing.currentData() is None:
                self.billing.setCurrentIndex(self.billing.count() - 1)
        self.technical.setFixedHeight(90)
        self.new_contact = QLineEdit(placeholderText="New technical contact: First Last, e-mail")
        self.reference = QCheckBox("The customer agreed to be a reference")
        self.reference_kinds = {kind: QCheckBox(kind) for kind in self._settings["reference_kinds"]}
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save  (Ctrl+Enter)")
        self._build()
        self._connect()
        self._update()
        self.read_draft(self.fields)

    # -- layout ----------------------------------------------------------------------------
    def _field(self, key: str, widget: QWidget) -> QWidget:
        holder = FieldWithMessage(widget)
        self.errors[key] = holder.message
        return holder

    def _build(self) -> None:
        heading = QLabel(f"Close {self._opportunity.row.name}")
        heading.setObjectName("screenTitle")
        outcome = QWidget()
        row = QHBoxLayout(outcome)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.won)
        row.addWidget(self.lost)
        row.addStretch(1)
        common = QFormLayout()
        common.addRow("Outcome", self._field("outcome", outcome))
        common.addRow("Reason code", self._field("reason_code", self.reason))
        self.competitor_label = QLabel("Competitor displaced")
        common.addRow(self.competitor_label, self._field("competitor", self.competitor))
        common.addRow("Requested features", self.features)
        common.addRow("Notes", self.notes)
        self.won_box = QGroupBox("Closed Won: what finance, support and marketing need")
        won = QFormLayout(self.won_box)
        lines = QWidget()
        line_column = QVBoxLayout(lines)
        line_column.setContentsMargins(0, 0, 0, 0)
        line_column.addWidget(self.lines)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_line)
        add_row.addStretch(1)
        add_row.addWidget(self.total)
        line_column.addLayout(add_row)
        self.lines.setFixedHeight(110)
        won.addRow("Products", self._field("lines", lines))
        won.addRow("Contract term", self._field("contract_term_months", self.term))
        won.addRow("Support contract", self._field("support_contract", self.support))
        billing = QWidget()
        billing_column = QVBoxLayout(billing)
        billing_column.setContentsMargins(0, 0, 0, 0)
        billing_column.addWidget(self.billing)
        billing_column.addWidget(self.new_billing)
        won.addRow("Billing contact", self._field("billing_contact_id", billing))
        won.addRow("PO number", self.po_number)
        won.addRow("Payment terms", self._field("payment_terms", self.payment))
        technical = QWidget()
        tech_column = QVBoxLayout(technical)
        tech_column.setContentsMargins(0, 0, 0, 0)
        tech_column.addWidget(self.technical)
        tech_column.addWidget(self.new_contact)
        won.addRow("Technical contacts", self._field("technical_contacts", technical))
        kinds = QWidget()
        kinds_row = QHBoxLayout(kinds)
        kinds_row.setContentsMargins(0, 0, 0, 0)
        kinds_row.addWidget(self.reference)
        for box in self.reference_kinds.values():
            kinds_row.addWidget(box)
        won.addRow("Reference", self._field("reference_kinds", kinds))
        body = QVBoxLayout()
        body.addWidget(heading)
        body.addWidget(self.notice)
        body.addLayout(common)
        body.addWidget(self.won_box)
        body.addStretch(1)
        # The fields scroll; Save and Cancel stay in view however short the screen.
        self.fields = scrolling(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields, 1)
        layout.addWidget(self.buttons)

    def _connect(self) -> None:
        self.outcome.buttonToggled.connect(lambda *_: (self._update(), self._changed()))
        self.add_line.clicked.connect(lambda: self.add_product_line())
        for signal in (self.reason.currentIndexChanged, self.competitor.textChanged,
                       self.notes.textChanged, self.features.textChanged,
                       self.term.currentIndexChanged, self.support.currentIndexChanged,
                       self.payment.currentIndexChanged, self.billing.currentIndexChanged,
                       self.po_number.textChanged, self.technical.itemChanged,
                       self.new_contact.textChanged, self.new_billing.textChanged,
                       self.reference.toggled):
            signal.connect(self._changed)
        for box in self.reference_kinds.values():
            box.toggled.connect(self._changed)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for key, slot, says in (("Ctrl+Return", self.save, "Save the close"),
                                ("Ctrl+Enter", self.save, "Save the close"),
                                ("Alt+W", self.won.click, "Closed Won"),
                                ("Alt+L", self.lost.click, "Closed Lost")):
            shortcut(self, key, slot, says, "Close form")

    # -- lines -----------------------------------------------------------------------------
    def add_product_line(self, product_id: str | None = None, quantity: int = 1,
                         unit_price: float | None = None) -> None:
        row = self.lines.rowCount()
        self.lines.insertRow(row)
        product = QComboBox()
        for choice in self._products:
            product.addItem(choice.name, choice.id)
        if product_id:
            product.setCurrentIndex(max(product.findData(product_id), 0))
        count = QSpinBox(minimum=0, maximum=1_000_000)
        count.setValue(quantity)
        price = QDoubleSpinBox(minimum=0, maximum=10_000_000, decimals=2)
        chosen = self._products[product.currentIndex()] if self._products else None
        price.setValue(unit_price if unit_price is not None else
                       (chosen.list_price if chosen else 0.0))
        product.currentIndexChanged.connect(
            lambda index, p=price: p.setValue(self._products[index].list_price))
        for widget in (product, count, price):
            signal = getattr(widget, "currentIndexChanged", None) or widget.valueChanged
            signal.connect(self._changed)
        self.lines.setCellWidget(row, 0, product)
        self.lines.setCellWidget(row, 1, count)
        self.lines.setCellWidget(row, 2, price)
        self._changed()

    def _line_items(self) -> tuple[LineItem, ...]:
        items = []
        for row in range(self.lines.rowCount()):
            product, count, price = (self.lines.cellWidget(row, c) for c in range(3))
            assert isinstance(product, QComboBox) and isinstance(count, QSpinBox)
            assert isinstance(price, QDoubleSpinBox)
            if product.currentData():
                items.append(LineItem(product.currentData(), count.value(), price.value()))
        return tuple(items)

    # -- state -----------------------------------------------------------------------------
    def outcome_key(self) -> str | None:
        return "won" if self.won.isChecked() else "lost" if self.lost.isChecked() else None

    def _update(self) -> None:
        outcome = self.outcome_key()
        self.won_box.setVisible(outcome == "won")
        self.competitor_label.setText("Competitor displaced" if outcome != "lost"
                                      else "Competitor that won")
        current = self.reason.currentData()
        self.reason.blockSignals(True)
        self.reason.clear()
        self.reason.addItem("— choose a reason —", None)
        for code, label in self._services.reasons(outcome or "won"):
            self.reason.addItem(f"{code}: {label}", code)
        self.reason.setCurrentIndex(max(self.reason.findData(current), 0))
        self.reason.blockSignals(False)

    @staticmethod
    def _parse_contact(text: str) -> NewContact | None:
        """"First Last, e-mail" as typed in one field."""
        if not text.strip():
            return None
        name, _, email = text.partition(",")
        first, _, last = name.strip().rpartition(" ")
        return NewContact(first, last, email.strip())

    def _new_contacts(self) -> tuple[NewContact, ...]:
        contact = self._parse_contact(self.new_contact.text())
        return (contact,) if contact else ()

    def draft(self) -> CloseDraft:
        technical = tuple(
            str(self.technical.item(i).data(ID_ROLE)) for i in range(self.technical.count())
            if self.technical.item(i).checkState() == Qt.CheckState.Checked)
        return CloseDraft(
            outcome=self.outcome_key(), reason_code=self.reason.currentData(),
            competitor=self.competitor.text(), notes=self.notes.toPlainText(),
            requested_features=tuple(f.strip() for f in self.features.text().split(",")
                                     if f.strip()),
            lines=self._line_items(), contract_term_months=self.term.currentData(),
            support_contract=self.support.currentData(),
            billing_contact_id=self.billing.currentData(),
            new_billing_contact=self._parse_contact(self.new_billing.text()),
            po_number=self.po_number.text(),
            payment_terms=self.payment.currentData(), technical_contact_ids=technical,
            new_technical_contacts=self._new_contacts(),
            reference_willing=self.reference.isChecked(),
            reference_kinds=tuple(k for k, box in self.reference_kinds.items()
                                  if box.isChecked()))

    def _changed(self, *_: object) -> None:
        self.total.setText(f"Total: {self.draft().amount:,.2f}")
        self.changed()

    def draft_data(self) -> dict[str, Any]:
        return self.draft().to_json()

    def problems_check(self) -> Callable[[], dict[str, str]]:
        draft, check = self.draft(), self._services.problems
        return lambda: check(draft)

    # -- drafts ----------------------------------------------------------------------------
    def restore(self, data: dict[str, Any] | None) -> None:
        if not data:
            for name, quantity, price in self._opportunity.lines:
                match = next((p for p in self._products if p.name == name), None)
                if match:
                    self.add_product_line(match.id, quantity, price)
            return
        draft = CloseDraft.from_json(data)
        (self.won if draft.outcome == "won" else self.lost).setChecked(
            draft.outcome in ("won", "lost"))
        self._update()
        self.reason.setCurrentIndex(max(self.reason.findData(draft.reason_code), 0))
        self.competitor.setText(draft.competitor)
        self.notes.setPlainText(draft.notes)
        self.features.setText(", ".join(draft.requested_features))
        for line in draft.lines:
            self.add_product_line(line.product_id, line.quantity, line.unit_price)
        for box, value in ((self.term, draft.contract_term_months),
                           (self.support, draft.support_contract),
                           (self.payment, draft.payment_terms),
                           (self.billing, draft.billing_contact_id)):
            box.setCurrentIndex(max(box.findData(value), 0))
        self.po_number.setText(draft.po_number)
        if draft.new_billing_contact:
            c = draft.new_billing_contact
            self.new_billing.setText(f"{c.first_name} {c.last_name}, {c.email}".strip())
        for i in range(self.technical.count()):
            item = self.technical.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in
                               draft.technical_contact_ids else Qt.CheckState.Unchecked)
        if draft.new_technical_contacts:
            c = draft.new_technical_contacts[0]
            self.new_contact.setText(f"{c.first_name} {c.last_name}, {c.email}".strip())
        self.reference.setChecked(draft.reference_willing)
        for kind, box in self.reference_kinds.items():
            box.setChecked(kind in draft.reference_kinds)
        self.notice.setText("Restored your unsaved draft.")

    # -- closing ---------------------------------------------------------------------------
    def save(self) -> None:
        draft, opportunity_id = self.draft(), self._opportunity.row.id
        self.submit(lambda: self._services.save(opportunity_id, draft), self.closed.emit)
