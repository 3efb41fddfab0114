"""The main window: navigation between the rep's screens, and the status bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from models.leads import LeadDirectory
from models.qualification import QualificationContext, QualificationSaved
from models.records import DayBlockPlan, DayFigures, LeadDetail, RepProfile, SyncStatus
from ui.placeholder import PlaceholderView
from views.background import Background
from views.catalogue_dialogs import CatalogueServices, ReasonCodesDialog, TemplatesDialog
from views.day_blocks_dialog import Block, DayBlocksDialog
from views.email_composer import ComposerServices, EmailComposer
from views.handoff_inbox import HandoffInbox, InboxServices
from views.lead_fields_dialog import (
    DemoServices,
    LeadEditServices,
    LeadFieldsDialog,
)
from views.leads_view import LeadEntryServices, LeadsView
from views.marketing_views import FeedbackView, MarketingServices, ReferencesView
from views.opportunities_view import OpportunitiesView, OpportunityServices
from views.qualification_form import QualificationForm, QualifyServices
from views.queue_view import DeskServices, QueueView
from views.status_bar import SyncStatusBar
from views.sync_view import SyncServices, SyncView
from views.today_view import TodayView

STATUS_REFRESH_MS = 10_000
MATCH_AFTER_START_MS = 3_000
# With a CRM connected, a sync runs in the background this often (and on demand).
SYNC_EVERY_MS = 5 * 60_000


@dataclass(frozen=True)
class WindowServices:
    """What the window needs from the rest of the app, handed over by the composition root."""

    rep: RepProfile | None
    leads: LeadDirectory
    day_plan: Callable[[], list[DayBlockPlan]]
    day_figures: Callable[[list[DayBlockPlan]], DayFigures]
    start_block: Callable[[DayBlockPlan], None]
    load_blocks: Callable[[int | None], list[Block]]
    save_blocks: Callable[[int | None, list[Block]], None]
    desk: DeskServices
    qualify: QualifyServices
    qualification_context: Callable[[str], QualificationContext | None]
    inbox: InboxServices
    composer: ComposerServices
    catalogue: CatalogueServices
    opportunities: OpportunityServices
    marketing: MarketingServices
    sync: SyncServices
    sync_status: Callable[[], SyncStatus]
    now: Callable[[], datetime]
    lead_entry: LeadEntryServices | None = None
    # Brings every lead's account match up to date; returns a line for the status bar.
    match_accounts: Callable[[], str] | None = None
    lead_edits: LeadEditServices | None = None
    demo: DemoServices | None = None  # only in demo mode


PLACEHOLDERS = {
    "Dashboard": "Leads waiting for follow-up, first-touch SLA, touches against target, "
                 "conversion between funnel stages and campaign results.",
}


class MainWindow(QMainWindow):
    screen_changed = Signal(str)
    mailto_requested = Signal(str)
    closed = Signal()

    def __init__(self, services: WindowServices, background: Background) -> None:
        super().__init__()
        self._services = services
        self._background = background
        rep = services.rep
        self.setWindowTitle(f"RepDesk — {rep.name}" if rep else "RepDesk")
        self.resize(1400, 860)
        self.navigation = QListWidget(objectName="navigation")
        self.navigation.setFixedWidth(170)
        self.screens = QStackedWidget()
        self.today = TodayView(
            services.day_plan, services.day_figures, services.now,
            lambda parent: DayBlocksDialog(services.load_blocks, services.save_blocks, parent),
            background)
        self.queue = QueueView(services.desk, background)
        self.leads = LeadsView(services.leads, background, services.now, services.lead_entry)
        self._add_screen("Today", self.today)
        self._add_screen("Queue", self.queue)
        self._add_screen("Leads", self.leads)
        default_ae = rep.id if rep and rep.role == "AE" else None
        self.inbox = HandoffInbox(services.inbox, background, default_ae)
        self.opportunities = OpportunitiesView(services.opportunities, background)
        self.workspace = QTabWidget()
        self.workspace.addTab(self.inbox, "Hand-off inbox")
        self.workspace.addTab(self.opportunities, "Opportunities")
        self._add_screen("Opportunities", self.workspace)
        self.references = ReferencesView(services.marketing, background)
        self.feedback = FeedbackView(services.marketing, background)
        self._add_screen("References", self.references)
        self._add_screen("Feedback", self.feedback)
        self._add_screen("Dashboard", PlaceholderView("Dashboard", PLACEHOLDERS["Dashboard"]))
        self.sync = SyncView(services.sync, background)
        self._add_screen("Sync", self.sync)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.screens, 1)
        self.setCentralWidget(central)
        self.status = SyncStatusBar()
        self.setStatusBar(self.status)
        self.navigation.currentRowChanged.connect(self._show_screen)
        self.today.block_opened.connect(self.open_block)
        self.queue.touch_logged.connect(self._after_touch)
        self.queue.qualify_requested.connect(self.open_qualification)
        self.leads.qualify_requested.connect(self.open_qualification)
        self.qualification_form: QualificationForm | None = None
        self.inbox.decided.connect(lambda *_: (self.refresh_status(),
                                               self.opportunities.refresh()))
        self.opportunities.deal_closed.connect(lambda _: self.refresh_status())
        self.sync.synced.connect(self.refresh_status)
        self.sync.synced.connect(self.leads.refresh)  # what the pull changed shows at once
        self.sync.synced.connect(self.match_accounts_in_background)
        self.queue.email_requested.connect(self.open_email)
        self.leads.email_requested.connect(self.open_email)
        self.leads.leads_added.connect(lambda _: (self.today.refresh(), self.refresh_status(),
                                                  self.match_accounts_in_background()))
        self.composer: EmailComposer | None = None
        self.lead_dialog: LeadFieldsDialog | None = None
        self.leads.edit_requested.connect(self.edit_lead)
        self.leads.edit_button.setVisible(services.lead_edits is not None)
        self._add_shortcuts()
        self._add_team_menu()
        if services.demo is not None:
            self._add_demo_menu(services.demo)
        self._status_timer = QTimer(self, interval=STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        self._status_timer.start()
        self._sync_timer = QTimer(self, interval=SYNC_EVERY_MS)
        self._sync_timer.timeout.connect(self.sync.sync_in_background)
        self._sync_timer.start()
        self.navigation.setCurrentRow(0)

    def _add_screen(self, name: str, widget: QWidget) -> None:
        widget.setObjectName(f"screen{name}")
        self.screens.addWidget(widget)
        self.navigation.addItem(f"{self.navigation.count() + 1}  {name}")

    def _add_shortcuts(self) -> None:
        for row in range(self.navigation.count()):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{row + 1}"), self)
            shortcut.activated.connect(lambda row=row: self.navigation.setCurrentRow(row))
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self._find_lead)

    def _add_team_menu(self) -> None:
        """Managers' settings: the reason-code catalogue, templates, the framework."""
        menu = self.menuBar().addMenu("&Team")
        menu.addAction("Reason codes…", self.edit_reason_codes)
        menu.addAction("E-mail templates…", self.edit_templates)
        menu.addAction("Qualification framework…", self.choose_framework)

    def _add_demo_menu(self, demo: DemoServices) -> None:
        """Demo mode plays the rest of the team, so a new user can see the loop whole."""
        menu = self.menuBar().addMenu("&Demo")
        action = menu.addAction(f"Change the open lead in the CRM as {demo.other_user}…")
        action.setShortcut(QKeySequence("Ctrl+Shift+U"))
        action.triggered.connect(self.change_lead_as_other_user)
        self.demo_change_action = action

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)

    def edit_lead(self, lead_id: str) -> None:
        edits = self._services.lead_edits
        if edits is None:
            return

        def save(typed: dict[str, str]) -> tuple[dict[str, str], str]:
            return edits.save(lead_id, typed), "Lead saved; it goes to the CRM with the next sync."

        self._background.run("lead-edit-values", lambda: edits.values(lead_id),
                             lambda values: self._open_lead_dialog(
                                 "Edit lead", "Correct what the lead told us.", edits.labels,
                                 values, save))

    def change_lead_as_other_user(self) -> None:
        demo, edits = self._services.demo, self._services.lead_edits
        lead_id = self.leads.shown_lead_id
        if demo is None or edits is None:
            return
        if lead_id is None:
            self.show_screen("Leads")
            self.status.showMessage("Open a lead on the Leads screen first, then choose "
                                    "Demo ▸ Change the open lead… again.", 8000)
            return

        def save(typed: dict[str, str]) -> tuple[dict[str, str], str]:
            return {}, demo.change_in_crm(lead_id, typed)

        intro = (f"Play {demo.other_user}, another user of the team: what you save here is "
                 "written straight into the demo CRM, as if they had changed the lead there. "
                 "Sync to see it arrive; edit the same field here first (Edit lead, F2) to "
                 "see a conflict.")
        self._background.run(
            "lead-crm-values", lambda: demo.crm_values(lead_id),
            lambda values: self._open_lead_dialog(
                f"Change in the CRM as {demo.other_user}", intro, edits.labels, values, save),
            lambda error: self.status.showMessage(str(error), 8000))

    def _open_lead_dialog(self, title: str, intro: str, labels: dict[str, str],
                          values: dict[str, str] | None,
                          save: Callable[[dict[str, str]], tuple[dict[str, str], str]]
                          ) -> None:
        if values is None:
            self.status.showMessage("That lead no longer exists.", 5000)
            return
        dialog = LeadFieldsDialog(title, intro, labels, values, save, self._background, self)
        dialog.saved.connect(self._after_lead_saved)
        self.lead_dialog = dialog
        dialog.open()

    def _after_lead_saved(self, line: str) -> None:
        self.status.showMessage(line, 8000)
        self.leads.refresh()
        self.refresh_status()

    def edit_reason_codes(self) -> ReasonCodesDialog:
        dialog = ReasonCodesDialog(self._services.catalogue, self)
        dialog.open()
        return dialog

    def edit_templates(self) -> TemplatesDialog:
        dialog = TemplatesDialog(self._services.catalogue, self)
        dialog.open()
        return dialog

    def choose_framework(self) -> None:
        catalogue = self._services.catalogue
        options = catalogue.frameworks()
        chosen, ok = QInputDialog.getItem(self, "Qualification framework",
                                          "The team qualifies leads with", options,
                                          options.index(catalogue.framework()), False)
        if ok:
            catalogue.set_framework(chosen)
            self.status.showMessage(f"The team now qualifies with {chosen}.", 5000)

    def _find_lead(self) -> None:
        self.show_screen("Leads")
        self.leads.focus_search()

    def screen_names(self) -> list[str]:
        return [self.screens.widget(i).objectName().removeprefix("screen")
                for i in range(self.screens.count())]

    def show_screen(self, name: str) -> None:
        self.navigation.setCurrentRow(self.screen_names().index(name))

    def current_screen(self) -> str:
        return self.screen_names()[self.screens.currentIndex()]

    def _show_screen(self, row: int) -> None:
        self.screens.setCurrentIndex(row)
        shown = self.screens.currentWidget()
        if shown is self.workspace:
            self.inbox.refresh()
            self.opportunities.refresh()
        elif shown is self.references:
            self.references.refresh()
        elif shown is self.feedback:
            self.feedback.refresh()
        elif shown is self.sync:
            self.sync.refresh()
        self.screen_changed.emit(self.current_screen())

    def open_block(self, block: DayBlockPlan) -> None:
        """Start ``block`` (its real start reflows the day) and show its work list."""
        if block.kind in ("calls", "e-mail", "clean-up"):
            self._services.start_block(block)
            self.show_screen("Queue")
            self.queue.open_block(block.kind)
        self.today.refresh()

    def open_qualification(self, lead_id: str) -> None:
        """Load what the form needs off the UI thread, then open it."""
        self._background.run("qualification-context",
                             lambda: self._services.qualification_context(lead_id),
                             self._show_qualification)

    def _show_qualification(self, context: QualificationContext | None) -> None:
        if context is None:
            self.status.showMessage("That lead no longer exists.", 5000)
            return
        form = QualificationForm(context, self._services.qualify, self)
        form.qualified.connect(self._after_qualified)
        self.qualification_form = form
        form.open()

    def _after_qualified(self, saved: QualificationSaved) -> None:
        due = (f"; the AE has until {saved.handoff_due_at.astimezone():%a %H:%M} to accept"
               if saved.handoff_due_at else "")
        self.status.showMessage(f"Lead filed as {saved.stage}{due}.", 8000)
        self.today.refresh()
        self.refresh_status()

    def open_email(self, lead_id: str) -> None:
        self._background.run("composer-lead", lambda: self._services.leads.detail(lead_id),
                             self._show_composer)

    def _show_composer(self, lead: LeadDetail | None) -> None:
        if lead is None:
            self.status.showMessage("That lead no longer exists.", 5000)
            return
        composer = EmailComposer(lead, self._services.composer, self)
        composer.sent.connect(lambda logged: self._after_email(logged.lead_id))
        composer.mailto_requested.connect(self.mailto_requested.emit)
        self.composer = composer
        composer.open()

    def _after_email(self, lead_id: str) -> None:
        self.queue.email_sent(lead_id)
        self.status.showMessage("E-mail logged; it goes out with the next sync.", 6000)

    def _after_touch(self, _lead_id: str) -> None:
        self.today.refresh()
        self.refresh_status()

    def start(self) -> None:
        """Load the first data; call once the window is shown."""
        self.leads.search_now()
        self.refresh_status()
        QTimer.singleShot(2_000, self.sync.sync_in_background)
        # After the first screens have loaded: matching reads every lead's company and e-mail.
        QTimer.singleShot(MATCH_AFTER_START_MS, self.match_accounts_in_background)

    def match_accounts_in_background(self, *_: object) -> None:
        """Match new and changed leads to their accounts (all of them the first time)."""
        job = self._services.match_accounts
        if job is not None:
            self._background.run("account-matching", job, self._accounts_matched)

    def _accounts_matched(self, summary: str) -> None:
        if summary:
            self.status.showMessage(summary, 8000)

    def refresh_status(self) -> None:
        self._background.run("sync-status", self._services.sync_status,
                             self.status.show_status)
