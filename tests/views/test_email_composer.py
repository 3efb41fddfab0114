"""Writing template e-mails: the preview, what blocks sending, and what a send leaves behind."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from models.store import Activity, Lead
from models.store.open import Store
from tests.conftest import FIXED_NOW
from views.email_composer import EmailComposer
from views.main_window import MainWindow


def _lead(store: Store, **changes: Any) -> str:
    with store.sessions.begin() as session:
        lead = session.scalars(select(Lead).where(Lead.stage == "MQL", Lead.email.is_not(None),
                                                  Lead.email_opt_out.is_(False))).first()
        assert lead is not None
        for key, value in changes.items():
            setattr(lead, key, value)
        return lead.id


def _compose(qtbot: QtBot, window: MainWindow, lead_id: str) -> EmailComposer:
    window.open_email(lead_id)
    qtbot.waitUntil(lambda: window.composer is not None and window.composer.isVisible())
    composer = window.composer
    assert composer is not None
    composer.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is composer)
    return composer


def test_a_template_is_previewed_with_the_leads_data_and_sent_through_the_crm(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    lead_id = _lead(demo_store, first_name="Aiko", company="Orion Labs K.K.")
    composer = _compose(qtbot, window, lead_id)
    composer.template.setCurrentText("Trial follow-up")
    assert "{!Lead.FirstName}" in composer.body.toPlainText()  # the rep edits the template
    preview = composer.preview.toPlainText()
    assert "Hi Aiko," in preview and "Your Orion Labs K.K. trial" in preview
    composer.body.appendPlainText("PS: the security pack is attached.")
    with qtbot.waitSignal(composer.sent):
        qtbot.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with demo_store.sessions() as session:
        sent = session.scalars(select(Activity).where(
            Activity.lead_id == lead_id, Activity.kind == "email",
            Activity.occurred_at == FIXED_NOW)).one()
        lead = session.get(Lead, lead_id)
        assert lead is not None
    assert sent.delivery == "crm" and sent.subject == "Your Orion Labs K.K. trial"
    assert sent.body is not None and sent.body.startswith("Hi Aiko,")
    assert sent.body.endswith("PS: the security pack is attached.")
    assert lead.last_touch_at == FIXED_NOW


def test_an_unresolved_field_is_highlighted_and_blocks_sending(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    composer = _compose(qtbot, window, _lead(demo_store, title=None))
    composer.body.setPlainText("Dear {!Lead.Title} {!Lead.LastName},")
    assert not composer.send_button.isEnabled()
    assert "{!Lead.Title}" in composer.problems.text()
    assert "background-color:#fde68a" in composer.preview.toHtml()  # the highlight
    composer.body.setPlainText("Dear {!Lead.Title,colleague} {!Lead.LastName},")
    assert composer.send_button.isEnabled()


def test_template_errors_are_shown_and_block_sending(qtbot: QtBot, window: MainWindow,
                                                     demo_store: Store) -> None:
    composer = _compose(qtbot, window, _lead(demo_store))
    composer.body.setPlainText("Budget: {!Lead.Budget}")
    assert not composer.send_button.isEnabled()
    assert "Unknown merge field {!Lead.Budget}" in composer.problems.text()
    composer.body.setPlainText("Hi {!Lead.FirstName")
    assert "never closed" in composer.problems.text()


def test_a_lead_that_opted_out_cannot_be_mailed(qtbot: QtBot, window: MainWindow,
                                                demo_store: Store) -> None:
    composer = _compose(qtbot, window, _lead(demo_store, email_opt_out=True))
    assert not composer.send_button.isEnabled()
    assert "opted out of e-mail" in composer.problems.text()


def test_lead_data_with_markup_is_escaped_in_the_preview(qtbot: QtBot, window: MainWindow,
                                                        demo_store: Store) -> None:
    composer = _compose(qtbot, window, _lead(demo_store, company="<b>Evil</b> & Co"))
    composer.body.setPlainText("About {!Lead.Company}")
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in composer.preview.toHtml()
    assert "<b>Evil</b> & Co" in composer.preview.toPlainText()


def test_sending_from_the_mail_app_logs_it_and_opens_a_mailto_link(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    lead_id = _lead(demo_store, email="yui@orion.co.jp")
    composer = _compose(qtbot, window, lead_id)
    with qtbot.waitSignal(window.mailto_requested) as opened:
        composer.mail_app_button.click()
    assert str(opened.args[0]).startswith("mailto:yui@orion.co.jp?subject=")
    with demo_store.sessions() as session:
        assert session.scalars(select(Activity.delivery).where(
            Activity.lead_id == lead_id, Activity.occurred_at == FIXED_NOW)).one() == "mailto"
