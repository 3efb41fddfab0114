"""Typing a new lead from the Leads screen: messages beside the fields, nothing typed lost, and
the duplicate check before anything is written."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.commands import CommandRunner
from models.changes import Changes, Kind
from models.reps import current_rep
from models.store import Campaign, Lead
from models.store.open import Store
from tests.conftest import FIXED_NOW
from tests.views.conftest import activate
from views.main_window import MainWindow
from views.new_lead_dialog import NewLeadDialog


def _open(qtbot: QtBot, window: MainWindow) -> NewLeadDialog:
    activate(qtbot, window)
    window.show_screen("Leads")
    qtbot.keyClick(window.leads.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.leads.new_lead_dialog
    assert dialog is not None and dialog.isVisible()
    activate(qtbot, dialog)
    return dialog


def _type(qtbot: QtBot, dialog: NewLeadDialog, **values: str) -> None:
    for field, text in values.items():
        dialog.edits[field].clear()
        qtbot.keyClicks(dialog.edits[field], text)


def _save(qtbot: QtBot, dialog: NewLeadDialog) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def _count(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(Lead)) or 0


def test_a_new_lead_is_saved_from_the_keyboard_and_shown(
        qtbot: QtBot, window: MainWindow, demo_store: Store, commands: CommandRunner) -> None:
    heard: list[Changes] = []
    commands.bus.changed.connect(lambda changes, _origin: heard.append(changes))
    dialog = _open(qtbot, window)
    _type(qtbot, dialog, first_name="Ilse", last_name="Brandt", company="Kranich Logistik GmbH",
          email="ilse.brandt@kranich-logistik.de", phone="089 1234567", title="Leiterin Einkauf",
          country="Deutschland")
    with qtbot.waitSignal(dialog.lead_created) as created:
        _save(qtbot, dialog)
    assert not dialog.isVisible()
    with demo_store.sessions() as session:
        lead = session.get(Lead, created.args[0])
        assert lead is not None
        assert (lead.phone, lead.country, lead.stage, lead.source) == (
            "+49891234567", "DE", "MQL", "Manual entry")
        assert lead.created_at == FIXED_NOW and lead.cadence_state is not None
    rep = current_rep(demo_store.sessions)
    assert rep is not None and lead.owner_id == rep.id
    qtbot.waitUntil(lambda: "Ilse Brandt" in window.leads.panel.toPlainText())
    assert window.leads.notice.text() == "Lead created; it is in your queue."
    # The other screens (Today, the queue) hear of the new lead.
    assert any(c.touches(Kind.LEAD) and created.args[0] in c.records for c in heard)


def test_problems_show_beside_the_fields_and_what_was_typed_stays(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    before = _count(demo_store)
    dialog = _open(qtbot, window)
    _type(qtbot, dialog, last_name="Brandt", email="ilse.brandt@", country="Atlantis")
    _save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.errors["company"].isVisibleTo(dialog)
    assert dialog.errors["company"].text() == "Company is missing: every lead needs one."
    assert "not an e-mail address" in dialog.errors["email"].text()
    assert "two-letter code" in dialog.errors["country"].text()
    assert not dialog.errors["last_name"].isVisibleTo(dialog)
    assert dialog.edits["email"].text() == "ilse.brandt@"
    assert dialog.edits["company"].hasFocus()
    qtbot.keyClicks(dialog.edits["company"], "Kranich")
    assert not dialog.errors["company"].isVisibleTo(dialog)  # checked again as the rep types
    assert _count(demo_store) == before


def test_a_known_person_is_shown_and_can_be_opened_instead(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    with demo_store.sessions() as session:
        known = session.scalars(select(Lead).where(Lead.email.is_not(None),
                                                   Lead.first_name.is_not(None))
                                .order_by(Lead.created_at).limit(1)).one()
    before = _count(demo_store)
    dialog = _open(qtbot, window)
    _type(qtbot, dialog, first_name=known.first_name or "", last_name=known.last_name,
          company=known.company, email=(known.email or "").upper())
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.known_box.isVisible())
    shown = dialog.known_list.item(0).text()
    assert shown.startswith(f"{known.first_name} {known.last_name} at {known.company} — lead, ")
    assert "e-mail 100" in shown
    assert _count(demo_store) == before
    qtbot.mouseClick(dialog.open_known_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.leads.model.rowCount() > 0
                    and window.leads.table.currentIndex().isValid()
                    and window.leads.model.lead_id(window.leads.table.currentIndex().row())
                    == known.id)
    assert _count(demo_store) == before


def test_create_anyway_writes_the_look_alike(qtbot: QtBot, window: MainWindow,
                                             demo_store: Store) -> None:
    with demo_store.sessions() as session:
        known = session.scalars(select(Lead).where(Lead.email.is_not(None))
                                .order_by(Lead.created_at).limit(1)).one()
    dialog = _open(qtbot, window)
    _type(qtbot, dialog, first_name=known.first_name or "", last_name=known.last_name,
          company=known.company, email=known.email or "")
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.known_box.isVisible())
    with qtbot.waitSignal(dialog.lead_created):
        qtbot.mouseClick(dialog.create_anyway_button, Qt.MouseButton.LeftButton)
    with demo_store.sessions() as session:
        copies = session.scalar(select(func.count()).select_from(Lead).where(
            func.lower(Lead.email) == (known.email or "").casefold()))
    assert copies == 2


def test_changing_a_field_after_a_match_hides_the_match(qtbot: QtBot, window: MainWindow,
                                                        demo_store: Store) -> None:
    with demo_store.sessions() as session:
        known = session.scalars(select(Lead).where(Lead.email.is_not(None)).limit(1)).one()
    dialog = _open(qtbot, window)
    _type(qtbot, dialog, last_name=known.last_name, company=known.company,
          email=known.email or "")
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.known_box.isVisible())
    qtbot.keyClicks(dialog.edits["first_name"], "Zed")
    assert not dialog.known_box.isVisible()


def test_what_was_typed_comes_back_after_cancel(qtbot: QtBot, window: MainWindow) -> None:
    dialog = _open(qtbot, window)
    _type(qtbot, dialog, last_name="Brandt", company="Kranich Logistik GmbH")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    again = _open(qtbot, window)
    assert again.edits["company"].text() == "Kranich Logistik GmbH"
    assert again.notice.text() == "Not saved yet: what you typed is still here."


def test_the_campaign_is_reached_by_tab_suggested_and_saved(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    with demo_store.sessions() as session:
        campaign = session.scalars(select(Campaign).order_by(Campaign.name)).first()
        assert campaign is not None
        name, campaign_id = campaign.name, campaign.id
    dialog = _open(qtbot, window)
    _type(qtbot, dialog, last_name="Brandt", company="Kranich Logistik GmbH")
    dialog.edits["country"].setFocus()
    qtbot.waitUntil(dialog.edits["country"].hasFocus)
    qtbot.keyClick(dialog.edits["country"], Qt.Key.Key_Tab)
    assert dialog.edits["campaign"].hasFocus()  # next in the Tab order, after Country
    completer = dialog.edits["campaign"].completer()
    assert completer is not None
    qtbot.waitUntil(lambda: name in completer.model().stringList())  # read in the background
    # Typed text opens the suggestions popup, which the offscreen platform warns about.
    dialog.edits["campaign"].setText("no such campaign")
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.errors["campaign"].isVisible())
    assert "No campaign is named ‘no such campaign’" in dialog.errors["campaign"].text()
    assert dialog.isVisible() and dialog.edits["last_name"].text() == "Brandt"
    dialog.edits["campaign"].setText(name.upper())
    with qtbot.waitSignal(dialog.lead_created) as created:
        _save(qtbot, dialog)
    with demo_store.sessions() as session:
        lead = session.get(Lead, created.args[0])
        assert lead is not None and lead.campaign_id == campaign_id
