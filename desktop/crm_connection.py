"""The window's connection to the CRM: sign-in, tokens in memory, the refresh token in the
keyring, and whether the last attempt reached the CRM (the status bar's online state)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlparse

import requests

from desktop.oauth_login import login
from desktop.secrets import SecretStore
from desktop.sync_process import WAITING, SyncDone, SyncJob, SyncProcess
from models.bounds import crm_address
from models.crm.adapter import CrmError
from models.crm.oauth import Tokens
from models.crm.salesforce import check_url
from models.store.open import Store
from models.sync.lock import WAIT_AT_MOST_S, SyncBusy
from models.sync.status import remember_crm, sync_status


def _on_this_computer(url: str) -> bool:
    return urlparse(url).hostname in ("127.0.0.1", "localhost", "::1")



# What the Sync screen says while its sync waits for another sync of the profile to end.
WAITING_TEXT = ("Waiting for another sync of this profile to end (another window, or "
                "repdesk sync)…")
SYNCING_TEXT = "Syncing…"


def _counted(count: int, thing: str) -> str:
    """"1 conflict", "2 conflicts": the report is read, not parsed."""
    return f"{count} {thing}{'' if count == 1 else 's'}"

class CrmConnection:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store, self._clock = store, clock
        self.secrets = SecretStore()
        # How the last sync of this session went: None before the first one.
        self.online: bool | None = None
        self._http = requests.Session()
        self._tokens: Tokens | None = None
        self._url: str | None = None
        self._process = SyncProcess()
        # Who hears a running sync's news, said for the rep (called from the sync's thread).
        self._listeners: list[Callable[[str], None]] = []
        # How long a sync waits for another of the profile before it gives up.
        self.wait_at_most = WAIT_AT_MOST_S

    def follow(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def _tell(self, news: str) -> None:
        text = WAITING_TEXT if news == WAITING else SYNCING_TEXT
        for listener in list(self._listeners):
            listener(text)

    def close(self) -> None:
        """Stop the sync process and the connection's pool (the window is closing)."""
        self._process.close()
        self._http.close()

    def stop(self) -> None:
        """End the sync process at once, mid-run if need be (the window is being stopped)."""
        self._process.stop()

    @property
    def process_running(self) -> bool:
        return self._process.running

    @property
    def process_id(self) -> int | None:
        """The sync process that ran the last sync."""
        return self._process.process_id

    def url(self) -> str | None:
        return sync_status(self._store.sessions).crm_url

    def _signed_in(self, url: str) -> Tokens:
        if self._tokens is None or self._url != url:
            self._tokens = login(self._http, url)
            self._url = url
            # A CRM on this computer (demo mode's sandbox) needs no sign-in kept for later.
            if self._tokens.refresh_token and not _on_this_computer(url):
                self.secrets.save(f"refresh:{url}", self._tokens.refresh_token)
        return self._tokens

    def sync_now(self, url: str | None = None) -> str:
        """One sync run; a one-line report for the rep.

        Raises:
            ValueError: no CRM address, or one that is not allowed.
            CrmError: the CRM or the network stopped the run (nothing local is lost).
        """
        try:
            done = self._sync(url or self.url())
        except SyncBusy:
            raise  # the CRM was not asked: the online state stands
        except BaseException:
            # Whatever stopped it (the network, the CRM, the sync process dying, a bad
            # address), the window must not go on saying Online.
            self.online = False
            raise
        self.online = True
        pushed, pulled = done.report.push, done.report.pull
        conflicts = (f", {_counted(pushed.conflicts, 'conflict')} to settle"
                     if pushed.conflicts else "")
        refused = f", {pushed.failed} refused by the CRM" if pushed.failed else ""
        blocked = (f", {pushed.waiting} cannot be sent yet (see the list)"
                   if pushed.waiting else "")
        unsure = (f", {_counted(pushed.emails_unsure, 'e-mail')} may not have been sent "
                  "(see the list)" if pushed.emails_unsure else "")
        not_taken = (f", {pulled.refused} from the CRM not taken in (see the list)"
                     if pulled.refused else "")
        return (f"Synced: {pushed.sent} sent, {pulled.received} received{conflicts}"
                f"{refused}{blocked}{not_taken}{unsure}.")

    def _sync(self, url: str | None) -> SyncDone:
        if not url:
            raise ValueError("No CRM is connected: type its address and sync")
        url = crm_address(url)
        check_url(url)
        tokens = self._signed_in(url)
        try:
            done = self._process.run(SyncJob(
                self._store.path.parent, url, tokens.instance_url, tokens.access_token,
                self.secrets.load(f"refresh:{url}") or tokens.refresh_token,
                self._clock() - datetime.now(UTC), tokens.org, self.wait_at_most), self._tell)
        except SyncBusy:
            raise  # the sign-in was not used: it stands
        except (CrmError, requests.RequestException):
            # A sign-in the CRM may have ended (a restarted sandbox…): sign in again next time.
            self._tokens = None
            raise
        tokens.access_token = done.access_token
        remember_crm(self._store.sessions, url)
        return done
