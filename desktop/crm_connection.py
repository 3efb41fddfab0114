"""The window's connection to the CRM: sign-in, tokens in memory, the refresh token in the
keyring, and whether the last attempt reached the CRM (the status bar's online state)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlparse

import requests

from desktop.oauth_login import login
from desktop.secrets import SecretStore
from desktop.sync_process import SyncJob, SyncProcess
from models.crm.adapter import CrmError
from models.crm.oauth import Tokens
from models.crm.salesforce import check_url
from models.store.open import Store
from models.sync.status import remember_crm, sync_status


def _on_this_computer(url: str) -> bool:
    return urlparse(url).hostname in ("127.0.0.1", "localhost", "::1")


class CrmConnection:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store, self._clock = store, clock
        self.secrets = SecretStore()
        self.online = False
        self._http = requests.Session()
        self._tokens: Tokens | None = None
        self._url: str | None = None
        self._process = SyncProcess()

    def close(self) -> None:
        """Stop the sync process (the window is closing)."""
        self._process.close()

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
        url = url or self.url()
        if not url:
            raise ValueError("No CRM is connected: type its address and sync")
        check_url(url)
        try:
            tokens = self._signed_in(url)
            done = self._process.run(SyncJob(
                self._store.path.parent, url, tokens.instance_url, tokens.access_token,
                self.secrets.load(f"refresh:{url}") or tokens.refresh_token,
                self._clock() - datetime.now(UTC)))
        except (CrmError, requests.RequestException):
            self.online = False
            raise
        tokens.access_token = done.access_token
        remember_crm(self._store.sessions, url)
        self.online = True
        pushed, pulled = done.report.push, done.report.pull
        conflicts = f", {pushed.conflicts} conflicts to settle" if pushed.conflicts else ""
        refused = f", {pushed.failed} refused by the CRM" if pushed.failed else ""
        unsure = (f", {pushed.emails_unsure} e-mails may not have been sent (see below)"
                  if pushed.emails_unsure else "")
        return (f"Synced: {pushed.sent} sent, {pulled.received} received{conflicts}"
                f"{refused}{unsure}.")
