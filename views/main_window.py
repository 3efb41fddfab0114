"""The main window: navigation between the rep's screens, and the status bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from models.changes import Changed, Changes, Kind
from models.leads import LeadDirectory
from models.qualification import QualificationContext, QualificationSaved
from models.records import DayBlockPlan, DayFigures, LeadDetail, RepProfile, SyncStatus
from ui.fit import fit_on_screen
from ui.focus import ReadingOrder
from ui.keys import shortcut
from ui.placeholder import PlaceholderView
from views.background import Background
from views.booking_dialog import BookingDialog
from views.catalogue_dialogs import CatalogueServices, ReasonCodesDialog, TemplatesDialog
from views.commanding import Commands, follow, load_on_first_show
from views.dashboard_view import DashboardServices, DashboardView
from views.day_blocks_dialog import Block, DayBlocksDialog
from views.email_composer import ComposerServices, EmailComposer
from views.handoff_inbox import HandoffInbox, InboxServices
from views.last_dialog import LastDialog
from views.lead_fields_dialog import (
    DemoServices,
    LeadEditServices,
    LeadFieldsDialog,
)
from views.leads_view import LeadEntryServices, LeadsView
from views.marketing_views import FeedbackView, MarketingServices, ReferencesView
from views.opportunities_view import OpportunitiesView, OpportunityServices
from views.pipeline_view import PipelineServices, PipelineView
from views.qualification_form import QualificationForm, QualifyServices
from views.queue_view import DeskServices, QueueView
from views.shortcut_sheet import ShortcutSheet
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
    # Every write goes through it; its bus tells each screen what changed.
    commands: Commands
    log_path: object | None = None  # where bugs are written down, for Help
    # Everyone one may work as ("Work as…", demo mode); None: the signed-in CRM user only.
    work_as: Callable[[], list[RepProfile]] | None = None
    lead_entry: LeadEntryServices | None = None
    pipeline: PipelineServices | None = None
    dashboard: DashboardServices | None = None
    # Brings every lead's account match up to date; returns a line for the status bar.
    match_accounts: Callable[[], str] | None = None
    lead_edits: LeadEditServices | None = None
    demo: DemoServices | None = None  # only in demo mode


PLACEHOLDERS = {
    "Dashboard": "Leads waiting for follow-up, first-touch SLA, touches against target, "
                 "conversion between funnel stages and campaign results.",
}


# Where each role's desk opens.
HOME_SCREENS = {"AE": "Opportunities", "manager": "Dashboard"}


class MainWindow(ReadingOrder, QMainWindow):
    screen_changed = Signal(str)
    mailto_requested = Signal(str)
    closed = Signal()
    rep_chosen = Signal(str)  # "Work as…": the desk is built again for this person

    def __init__(self, services: WindowServices, background: Background) -> None:
        super().__init__()
        self._services = services
        self._background = background
        self._commands = commands = services.commands
        rep = services.rep
        self.setWindowTitle(f"RepDesk — {rep.name}" if rep else "RepDesk")
        fit_on_screen(self, 1400, 860)  # until the rep's own size is restored
        self.navigation = QListWidget(objectName="navigation")
        self.navigation.setFixedWidth(170)
        self.screens = QStackedWidget()
        self.today = TodayView(
            services.day_plan, services.day_figures, services.now,
            lambda parent: DayBlocksDialog(services.load_blocks, services.save_blocks,
                                           commands, parent),
            background, commands)
        self.queue = QueueView(services.desk, background, commands)
        self.leads = LeadsView(services.leads, background, services.now, services.lead_entry,
                               commands=commands)
        self._add_screen("Today", self.today)
        self._add_screen("Queue", self.queue)
        self._add_screen("Leads", self.leads)
        default_ae = rep.id if rep and rep.role == "AE" else None
        self.inbox = HandoffInbox(services.inbox, background, commands, default_ae,
                                  acting_as=rep.id if rep else None)
        self.opportunities = OpportunitiesView(services.opportunities, background, commands)
        self.workspace = QTabWidget()
        self.workspace.addTab(self.inbox, "Hand-off inbox")
        self.workspace.addTab(self.opportunities, "Opportunities")
        self.pipeline = PipelineView(services.pipeline, background, commands) \
            if services.pipeline else None
        if self.pipeline is not None:
            self.workspace.addTab(self.pipeline, "Pipeline by stage")
            self.pipeline.mailto_requested.connect(self.mailto_requested.emit)
        self.opportunities.mailto_requested.connect(self.mailto_requested.emit)
        self._add_screen("Opportunities", self.workspace)
        self.references = ReferencesView(services.marketing, background, commands)
        self.feedback = FeedbackView(services.marketing, background, commands)
        self._add_screen("References", self.references)
        self._add_screen("Feedback", self.feedback)
        self.dashboard = DashboardView(services.dashboard, background, commands) \
            if services.dashboard else None
        self._add_screen("Dashboard", self.dashboard or PlaceholderView(
            "Dashboard", PLACEHOLDERS["Dashboard"]))
        self.sync = SyncView(services.sync, background, commands)
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
        # Each screen reads once, when first shown; then only what changes reads it again.
        for screen in (self.inbox, self.opportunities, self.pipeline, self.references,
                       self.feedback, self.dashboard, self.sync):
            if screen is not None:
                load_on_first_show(screen, screen.refresh)
        self.today.block_opened.connect(self.open_block)
        self.queue.qualify_requested.connect(self.open_qualification)
        self.leads.qualify_requested.connect(self.open_qualification)
        self.qualification_form: QualificationForm | None = None
        self._last_qualification: LastDialog[QualificationForm] = LastDialog()
        self.sync.synced.connect(self.match_accounts_in_background)
        self.queue.email_requested.connect(self.open_email)
        self.leads.email_requested.connect(self.open_email)
        self.leads.leads_added.connect(lambda _: self.match_accounts_in_background())
        # The status bar counts what waits for the CRM: it follows every write that adds to it.
        follow(self, commands, (Kind.OUTBOX, Kind.CONFLICT), lambda _c: self.refresh_status(),
               skip_own=False)
        self.composer: EmailComposer | None = None
        self.shortcut_sheet: ShortcutSheet | None = None
        self.lead_dialog: LeadFieldsDialog | None = None
        self.leads.edit_requested.connect(self.edit_lead)
        self.leads.meetings_requested.connect(self.open_meetings)
        self.meetings_dialog: BookingDialog | None = None
        self.leads.edit_button.setVisible(services.lead_edits is not None)
        self._add_file_menu()
        self._add_shortcuts()
        self._add_team_menu()
        if services.demo is not None:
            self._add_demo_menu(services.demo)
        self._add_help_menu()
        self._status_timer = QTimer(self, interval=STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        self._status_timer.start()
        self._sync_timer = QTimer(self, interval=SYNC_EVERY_MS)
        self._sync_timer.timeout.connect(self.sync.sync_in_background)
        self._sync_timer.start()
        self.show_screen(HOME_SCREENS.get(rep.role, "Today") if rep else "Today")

    def _add_screen(self, name: str, widget: QWidget) -> None:
        widget.setObjectName(f"screen{name}")
        self.screens.addWidget(widget)
        self.navigation.addItem(f"{self.navigation.count() + 1}  {name}")

    def _add_shortcuts(self) -> None:
        for row, name in enumerate(self.screen_names()):
            shortcut(self, f"Ctrl+{row + 1}",
                     lambda row=row: self.navigation.setCurrentRow(row), f"Show {name}",
                     "Everywhere")
        shortcut(self, QKeySequence.StandardKey.Find, self._find_lead, "Search the leads",
                 "Everywhere")
        shortcut(self, QKeySequence.StandardKey.HelpContents, self.show_shortcuts,
                 "This sheet of shortcuts", "Everywhere")

    def _add_file_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        if self._services.work_as is not None:
            self._add_work_as(menu.addMenu("&Work as"))
            menu.addSeparator()
        menu.addAction("&Sync now", self.sync.sync_now)
        menu.addSeparator()
        # Ctrl+Q qualifies a lead, so quitting takes Shift as well.
        quit_action = menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence("Ctrl+Shift+Q"))
        quit_action.triggered.connect(self.close)

    def _add_work_as(self, menu: QMenu) -> None:
        """Demo mode: be any SDR, AE or manager of the demo team; the desk follows. The team
        is read off the UI thread and fills the menu when it arrives."""
        assert self._services.work_as is not None
        self.work_as_menu = menu
        menu.addAction("Reading the team…").setEnabled(False)
        self._background.run("work-as", self._services.work_as, self._fill_work_as)

    def _fill_work_as(self, people: list[RepProfile]) -> None:
        menu, me = self.work_as_menu, self._services.rep
        menu.clear()
        for person in people:
            action = menu.addAction(f"{person.name}  ({person.role})")
            action.setCheckable(True)
            action.setChecked(me is not None and person.id == me.id)
            action.triggered.connect(lambda _=False, rep_id=person.id: self.rep_chosen.emit(rep_id))

    def _add_help_menu(self) -> None:
        menu = self.menuBar().addMenu("&Help")
        menu.addAction("&Keyboard shortcuts  (F1)", self.show_shortcuts)
        menu.addAction("Where is the &log?", self.show_log_place)

    def show_shortcuts(self) -> ShortcutSheet:
        sheet = ShortcutSheet(self)
        self.shortcut_sheet = sheet
        sheet.open()
        return sheet

    def show_log_place(self) -> None:
        place = self._services.log_path
        QMessageBox.information(
            self, "RepDesk's log",
            f"RepDesk writes what went wrong to\n{place}\n\nSend that file to whoever "
            "supports RepDesk; it never holds passwords or sign-in tokens." if place else
            "This window keeps no log file.")

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

        def save(typed: dict[str, str]) -> Changed[tuple[dict[str, str], str]]:
            problems = edits.save(lead_id, typed)
            line = "Lead saved; it goes to the CRM with the next sync."
            changed = Changes() if problems else Changes.of(Kind.LEAD, Kind.OUTBOX,
                                                            records=[lead_id])
            return Changed((problems, line), changed)

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

        def save(typed: dict[str, str]) -> Changed[tuple[dict[str, str], str]]:
            # Written in the CRM only: nothing here changes until the next sync brings it.
            return Changed(({}, demo.change_in_crm(lead_id, typed)), Changes())

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
                          save: Callable[[dict[str, str]], Changed[tuple[dict[str, str], str]]]
                          ) -> None:
        if values is None:
            self.status.showMessage("That lead no longer exists.", 5000)
            return
        dialog = LeadFieldsDialog(title, intro, labels, values, save, self._commands, self)
        dialog.saved.connect(self._after_lead_saved)
        self.lead_dialog = dialog
        dialog.open()

    def _after_lead_saved(self, line: str) -> None:
        self.status.showMessage(line, 8000)  # the screens showing the lead follow the bus

    def edit_reason_codes(self) -> ReasonCodesDialog:
        dialog = ReasonCodesDialog(self._services.catalogue, self._commands,
                                   self._background, self)
        dialog.open()
        return dialog

    def edit_templates(self) -> TemplatesDialog:
        dialog = TemplatesDialog(self._services.catalogue, self._commands, self._background,
                                 self)
        dialog.open()
        return dialog

    def choose_framework(self) -> None:
        catalogue = self._services.catalogue
        self._background.run("framework", lambda: (catalogue.frameworks(),
                                                   catalogue.framework()),
                             lambda read: self._ask_framework(*read))

    def _ask_framework(self, options: list[str], current: str) -> None:
        catalogue = self._services.catalogue
        chosen, ok = QInputDialog.getItem(self, "Qualification framework",
                                          "The team qualifies leads with", options,
                                          options.index(current) if current in options
                                          else 0, False)
        if ok:
            self._commands.run(
                "Set the qualification framework", lambda: catalogue.set_framework(chosen),
                lambda _: self.status.showMessage(f"The team now qualifies with {chosen}.",
                                                  5000))

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
        self.screen_changed.emit(self.current_screen())

    def open_block(self, block: DayBlockPlan) -> None:
        """Start ``block`` (its real start reflows the day) and show its work list."""
        if block.kind in ("calls", "e-mail", "clean-up"):
            self._commands.run("Start the block", lambda: self._services.start_block(block))
            self.show_screen("Queue")
            self.queue.open_block(block.kind)
        else:
            self.status.showMessage(
                f"The {block.kind} block has no work list: answer e-mails, finish "
                "qualifications and check your hand-offs (Opportunities, Ctrl+4).", 10_000)

    def open_qualification(self, lead_id: str) -> None:
        """Load what the form needs off the UI thread, then open it."""
        context, draft = self._services.qualification_context, self._services.qualify.load_draft
        self._background.run("qualification-context",
                             lambda: (context(lead_id), draft(lead_id)),
                             self._show_qualification)

    def _show_qualification(
            self, loaded: tuple[QualificationContext | None, dict[str, Any] | None]) -> None:
        context, kept = loaded
        if context is None:
            self.status.showMessage("That lead no longer exists.", 5000)
            return
        form = self._last_qualification.opened(QualificationForm(
            context, self._services.qualify, self._commands, self._background, kept, self))
        form.qualified.connect(self._after_qualified)
        self.qualification_form = form
        form.open()

    def _after_qualified(self, saved: QualificationSaved) -> None:
        due = (f"; the AE has until {saved.handoff_due_at.astimezone():%a %H:%M} to accept"
               if saved.handoff_due_at else "")
        self.status.showMessage(f"Lead filed as {saved.stage}{due}.", 8000)

    def open_meetings(self, lead_id: str) -> None:
        """The booking screen for any lead, e.g. to mark last week's meeting held."""
        if self._services.desk.meetings is None:
            return
        self.meetings_dialog = BookingDialog(lead_id, self._services.desk.meetings,
                                             self._background, self._commands, self)
        self.meetings_dialog.open()

    def open_email(self, lead_id: str) -> None:
        self._background.run("composer-lead", lambda: self._services.leads.detail(lead_id),
                             self._show_composer)

    def _show_composer(self, lead: LeadDetail | None) -> None:
        if lead is None:
            self.status.showMessage("That lead no longer exists.", 5000)
            return
        composer = EmailComposer(lead, self._services.composer, self._commands, self)
        composer.sent.connect(lambda logged: self._after_email(logged.lead_id))
        composer.mailto_requested.connect(self.mailto_requested.emit)
        self.composer = composer
        composer.open()

    def _after_email(self, _lead_id: str) -> None:
        self.status.showMessage("E-mail logged; it goes out with the next sync.", 6000)

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
        # Its batches went through the command runner, whose last announced what changed.
        if summary:
            self.status.showMessage(summary, 8000)

    def refresh_status(self) -> None:
        self._background.run("sync-status", self._services.sync_status,
                             self.status.show_status)
