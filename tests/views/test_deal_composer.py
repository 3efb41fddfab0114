"""The composer on a deal: Ctrl+E on the opportunities list or the pipeline opens it with the
deal templates, the preview filled from the deal, its contact and the meeting, and Ctrl+Enter
logs the mail on the deal for the CRM to send."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.reps import choose_rep
from models.store import Account, Activity, Contact, Lead, Meeting, Opportunity, User
from models.store.open import Store
from tests.conftest import FIXED_NOW
from tests.views.conftest import activate
from views.background import Background
from views.email_composer import EmailComposer
from views.main_window import MainWindow


def _ae_window(qtbot: QtBot, store: Store, background: Background,
               commands: CommandRunner) -> tuple[MainWindow, str]:
    """An AE with an open deal whose contact is the lead it came from, a meeting booked."""
    with store.sessions.begin() as session:
        ae = session.scalars(select(User).where(User.role == "AE")).first()
        assert ae is not None
        account = Account(name="Cedar Health GmbH", kind="prospect", domain="cedar.de")
        session.add(account)
        session.flush()
        lead = Lead(first_name="Lea", last_name="Koch", company="Cedar Health GmbH",
                    email="lea@cedar.de", timezone="Europe/Berlin", created_at=FIXED_NOW,
                    account_id=account.id, stage="converted")
        session.add_all([lead, Contact(account_id=account.id, first_name="Lea",
                                       last_name="Koch", email="lea@cedar.de")])
        session.flush()
        deal = Opportunity(name="Cedar Health - 40 seats", account_id=account.id,
                           lead_id=lead.id, owner_id=ae.id, stage="Proposal/Price Quote",
                           amount=48_000, next_step="Security review", created_at=FIXED_NOW)
        session.add(deal)
        session.flush()
        starts = FIXED_NOW + timedelta(days=2)
        session.add(Meeting(subject="Meeting: Cedar Health with the AE", starts_at=starts,
                            ends_at=starts + timedelta(minutes=30), lead_id=lead.id,
                            opportunity_id=deal.id, owner_id=ae.id, created_at=FIXED_NOW))
    choose_rep(store.sessions, ae.id)
    window = MainWindow(window_services(store, clock=lambda: FIXED_NOW, commands=commands),
                        background)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.show_screen("Opportunities")
    window.workspace.setCurrentWidget(window.opportunities)
    view = window.opportunities
    qtbot.waitUntil(lambda: any(row.id == deal.id for row in view._rows), timeout=15_000)
    view.table.selectRow([row.id for row in view._rows].index(deal.id))
    qtbot.waitUntil(lambda: view.email_button.isEnabled()
                    and view._detail is not None and view._detail.row.id == deal.id)
    return window, deal.id


def _composer(qtbot: QtBot, holder: object) -> EmailComposer:
    qtbot.waitUntil(lambda: getattr(holder, "composer", None) is not None
                    and holder.composer.isVisible())  # type: ignore[attr-defined]
    composer: EmailComposer = holder.composer  # type: ignore[attr-defined]
    composer.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is composer)
    return composer


def test_ctrl_e_on_a_deal_writes_to_its_contact_with_the_deal_templates(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    window, deal_id = _ae_window(qtbot, demo_store, background, commands)
    activate(qtbot, window)
    qtbot.keyClick(window.opportunities.table, Qt.Key.Key_E,
                   Qt.KeyboardModifier.ControlModifier)
    assert window.opportunities.deal_mail is not None
    composer = _composer(qtbot, window.opportunities.deal_mail)
    templates = [composer.template.itemText(i) for i in range(3)]
    assert sorted(templates) == ["Meeting confirmation", "Proposal follow-up", "Thank you"]
    composer.template.setCurrentText("Meeting confirmation")
    assert composer.recipient.text() == "lea@cedar.de"
    preview = composer.preview.toPlainText()
    # 26 Nov 15:00 UTC is 16:00 in Berlin, where Lea reads it.
    assert "Hi Lea," in preview
    assert "Thursday 26 November 2026, 16:00–16:30 (Europe/Berlin)" in preview
    assert "the next step is: Security review" in preview
    assert composer.send_button.isEnabled()
    with qtbot.waitSignal(composer.sent):
        qtbot.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "E-mail logged on Cedar Health" in
                    window.opportunities.message.text())
    with demo_store.sessions() as session:
        mail = session.scalars(select(Activity).where(Activity.opportunity_id == deal_id,
                                                      Activity.kind == "email")).one()
        assert (mail.email_to, mail.delivery) == ("lea@cedar.de", "crm")
        assert mail.subject == "Our meeting about Cedar Health - 40 seats"
        assert "16:00–16:30 (Europe/Berlin)" in (mail.body or "")


def test_a_deal_without_an_address_cannot_be_sent_and_says_why(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    window, _deal_id = _ae_window(qtbot, demo_store, background, commands)
    with demo_store.sessions.begin() as session:
        for contact in session.scalars(select(Contact).where(Contact.email == "lea@cedar.de")):
            contact.email = None
    window.opportunities.write_email()
    assert window.opportunities.deal_mail is not None
    composer = _composer(qtbot, window.opportunities.deal_mail)
    assert not composer.send_button.isEnabled()
    assert "add a contact with an e-mail address" in composer.problems.text()


def test_the_pipeline_opens_the_composer_on_its_deal_with_ctrl_e(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    window, deal_id = _ae_window(qtbot, demo_store, background, commands)
    pipeline = window.pipeline
    assert pipeline is not None and pipeline.deal_mail is not None
    window.workspace.setCurrentWidget(pipeline)
    qtbot.waitUntil(lambda: deal_id in pipeline._rows)
    pipeline.refresh(select=deal_id)
    qtbot.waitUntil(lambda: pipeline.current_id() == deal_id)
    activate(qtbot, window)
    qtbot.keyClick(pipeline.tree, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    composer = _composer(qtbot, pipeline.deal_mail)
    assert "Cedar Health - 40 seats" in composer.windowTitle()
    assert composer.recipient.text() == "lea@cedar.de"


def test_open_in_my_mail_app_hands_the_filled_mail_to_the_desktop(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    window, deal_id = _ae_window(qtbot, demo_store, background, commands)
    window.opportunities.write_email()
    assert window.opportunities.deal_mail is not None
    composer = _composer(qtbot, window.opportunities.deal_mail)
    composer.template.setCurrentText("Thank you")
    with qtbot.waitSignal(window.mailto_requested) as handed:
        composer.mail_app_button.click()
    assert handed.args[0].startswith("mailto:lea@cedar.de?subject=Welcome%20aboard%2C%20"
                                     "Cedar%20Health%20GmbH")
    with demo_store.sessions() as session:
        mail = session.scalars(select(Activity).where(Activity.opportunity_id == deal_id)).one()
        assert mail.delivery == "mailto"
