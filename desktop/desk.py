"""The rep's desk: the main window built for whoever works at it. "Work as…" (demo mode)
signs another person of the team in, and the desk is built again around them: an SDR starts
on Today and the queue, an AE on the hand-off inbox, a manager on the team view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from desktop.commands import CommandRunner
from desktop.composition import system_clock, window_services
from desktop.crm_connection import CrmConnection
from desktop.demo import DemoCrm, other_user
from desktop.error_log import BugReport, report_failures
from desktop.first_sync import FirstSync
from desktop.long_lived import set_aside
from desktop.window_memory import WindowMemory
from models.changes import EVERYTHING, Changes
from models.crm.sandbox.server import SandboxServer
from models.records import RepProfile
from models.reps import choose_rep, current_rep, team_members
from models.store.open import Store
from models.vocab import Role
from views.background import Background
from views.main_window import MainWindow


def team(store: Store) -> list[RepProfile]:
    """Everyone one may work as, SDRs first, then AEs, then managers."""
    roles = (Role.SDR_INBOUND, Role.SDR_OUTBOUND, Role.AE, Role.MANAGER)
    return [person for role in roles for person in team_members(store.sessions, role)]


class Desk:
    def __init__(self, store: Store, background: Background, commands: CommandRunner,
                 bugs: BugReport | None = None, can_switch: bool = False,
                 clock: Callable[[], datetime] = system_clock,
                 demo_crm: SandboxServer | None = None,
                 first_sync: FirstSync | None = None) -> None:
        self._store, self._background, self._commands = store, background, commands
        self._bugs, self._can_switch, self._clock = bugs, can_switch, clock
        self._demo_crm, self._first_sync = demo_crm, first_sync
        self.window: MainWindow | None = None
        self.crm: CrmConnection | None = None
        self._memory: WindowMemory | None = None

    @property
    def profile(self) -> Path:
        return self._store.path.parent

    def open(self) -> MainWindow:
        """Build the window for the profile's rep, where the last one was, and show it."""
        crm = CrmConnection(self._store, self._clock)
        services = window_services(self._store, self._clock, crm, self._demo(),
                                   commands=self._commands)
        services = replace(services, log_path=self._bugs.log_path if self._bugs else None,
                           work_as=(lambda: team(self._store)) if self._can_switch else None)
        if self._first_sync is not None:
            services = self._first_sync.watching(services)
        window = MainWindow(services, self._background)
        window.closed.connect(crm.close)  # its sync process ends with it
        window.mailto_requested.connect(lambda uri: QDesktopServices.openUrl(QUrl(uri)))
        window.rep_chosen.connect(self.work_as)
        if self._bugs is not None:
            self._bugs.window = window
            report_failures(self._commands, self._bugs, window.status)
        memory = WindowMemory(window, self.profile)
        set_aside()  # the imports and the window: out of the collector's walks
        self.save_layout()  # the earlier window's, which the new one takes up
        memory.restore()
        window.show()
        window.start()
        earlier, self.window, self._memory = self.window, window, memory
        self.crm = crm
        if earlier is not None:  # after the new one shows, so the app never has no window
            earlier.close()
            earlier.deleteLater()
        return window

    def _demo(self) -> DemoCrm | None:
        """Demo mode's CRM, where the rep plays someone else of the team."""
        if self._demo_crm is None:
            return None
        me = current_rep(self._store.sessions)
        return DemoCrm(self._store, self._demo_crm,
                       other_user(self._store, me.id if me else None))

    def close(self) -> None:
        """Also on a quit that closes no window by hand: the sync process ends."""
        self.save_layout()
        if self.crm is not None:
            self.crm.close()

    def save_layout(self) -> None:
        if self._memory is not None:
            self._memory.save()

    def work_as(self, rep_id: str) -> None:
        """Sign ``rep_id`` in and build the desk again around them."""
        def sign_in() -> Changes:
            choose_rep(self._store.sessions, rep_id)
            return EVERYTHING  # every screen shows another person's work

        self._commands.run("Work as another person", sign_in, lambda _: self.open())
