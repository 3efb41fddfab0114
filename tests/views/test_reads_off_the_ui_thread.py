"""The short reads a screen makes as it opens (whose figures the dashboard offers, whom one may
work as, the catalogue editors, the campaigns New lead suggests, the close form's products and
reasons, the drafts kept of the close and qualification forms and their check after a refused
save, the CRM address on each sync tick) run off the UI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.store import Lead
from models.store.open import Store
from tests.conftest import FIXED_NOW
from views.background import Background
from views.main_window import MainWindow


class Reads:
    """Which thread each read ran on."""

    def __init__(self) -> None:
        self.threads: dict[str, list[bool]] = {}

    def watch(self, name: str, read: Callable[..., Any]) -> Callable[..., Any]:
        def watched(*args: Any) -> Any:
            on_ui = threading.current_thread() is threading.main_thread()
            self.threads.setdefault(name, []).append(on_ui)
            return read(*args)
        return watched


def test_the_reads_behind_menus_dialogs_and_the_sync_tick_leave_the_ui_thread(
        qtbot: QtBot, demo_store: Store, background: Background, commands: CommandRunner,
        monkeypatch: pytest.MonkeyPatch) -> None:
    reads = Reads()
    services = window_services(demo_store, clock=lambda: FIXED_NOW, commands=commands)
    assert services.dashboard is not None and services.lead_entry is not None
    catalogue = services.catalogue
    entry = services.lead_entry
    services = replace(
        services,
        work_as=reads.watch("work as", lambda: []),
        dashboard=replace(services.dashboard,
                          people=reads.watch("people", services.dashboard.people)),
        catalogue=replace(catalogue,
                          reason_codes=reads.watch("reason codes", catalogue.reason_codes),
                          templates=reads.watch("templates", catalogue.templates),
                          framework=reads.watch("framework", catalogue.framework)),
        sync=replace(services.sync, crm_url=reads.watch("crm address", lambda: None)),
        lead_entry=replace(entry, new_lead=replace(
            entry.new_lead,
            campaigns=reads.watch("campaign names", entry.new_lead.campaigns))),
        opportunities=replace(services.opportunities, close=replace(
            services.opportunities.close,
            products=reads.watch("products", services.opportunities.close.products),
            reasons=reads.watch("close reasons", services.opportunities.close.reasons),
            load_draft=reads.watch("close draft", services.opportunities.close.load_draft),
            problems=reads.watch("close check", services.opportunities.close.problems))),
        qualify=replace(services.qualify,
                        load_draft=reads.watch("qualification draft",
                                               services.qualify.load_draft),
                        problems=reads.watch("qualification check",
                                             services.qualify.problems)))
    window = MainWindow(services, background)
    qtbot.addWidget(window)
    window.show()
    window.show_screen("Dashboard")
    codes = window.edit_reason_codes()
    templates = window.edit_templates()
    qtbot.waitUntil(lambda: codes.table.rowCount() > 0 and templates.list.count() > 0)
    asked: list[list[str]] = []
    monkeypatch.setattr(QInputDialog, "getItem",
                        lambda *args: (asked.append(args[3]), ("", False))[1])
    window.choose_framework()
    window.sync.sync_in_background()  # the scheduled tick
    new_lead = window.leads.new_lead()
    assert new_lead is not None
    qtbot.waitUntil(lambda: new_lead.campaign_names.rowCount() > 0)
    new_lead.reject()
    window.show_screen("Opportunities")
    window.workspace.setCurrentWidget(window.opportunities)
    qtbot.waitUntil(lambda: len(reads.threads) == 9 and bool(asked))
    assert asked[0]  # the frameworks were offered
    deals = window.opportunities
    qtbot.waitUntil(lambda: deals.close_button.isEnabled())
    form = deals.open_close_form()  # the catalogue was read ahead, with the deals
    assert form is not None
    qtbot.waitUntil(lambda: not form.reading)  # its kept draft, read aside
    form.lost.setChecked(True)
    assert form.reason.count() > 1  # lost's reasons, from what was read ahead
    form.save()  # refused: no reason given; the check of each change after it runs aside
    qtbot.waitUntil(lambda: form.notice.text().startswith("Some fields need attention"))
    form.competitor.setText("Northwind CRM")
    qtbot.waitUntil(lambda: "close check" in reads.threads)
    form.reject()
    with demo_store.sessions() as session:
        lead_id = session.scalars(select(Lead.id).where(Lead.stage == "MQL")).first()
    assert lead_id is not None
    window.open_qualification(lead_id)
    qtbot.waitUntil(lambda: window.qualification_form is not None
                    and window.qualification_form.isVisible())
    qualifying = window.qualification_form
    assert qualifying is not None
    qualifying.save()
    qtbot.waitUntil(lambda: qualifying.notice.text().startswith("Some fields need attention"))
    qualifying.next_step.setText("Demo on Thursday")
    qtbot.waitUntil(lambda: "qualification check" in reads.threads)
    qualifying.reject()
    assert {"close draft", "qualification draft"} <= set(reads.threads)
    for name, on_ui in reads.threads.items():
        assert not any(on_ui), f"{name} was read on the UI thread"
    assert window.dashboard is not None
    qtbot.waitUntil(lambda: window.dashboard is not None and window.dashboard.sheet is not None,
                    timeout=20_000)
    assert window.dashboard.who.count() > 1  # the people arrived and the figures followed
