"""The window's connection to the CRM: sign-in, tokens in memory, the refresh token in the
keyring, and whether the last attempt reached the CRM (the status bar's online state)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlparse

import requests

from desktop.oauth_login import login
from desktop.secrets import SecretStore
from models.crm.adapter import CrmError
from models.crm.oauth import Tokens, refresh
from models.crm.salesforce import SalesforceRest, check_url
from models.store.open import Store
from models.sync.engine import sync_once
from models.sync.status import remember_crm, sync_status
from models.touches import refresh_cadences


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

    def url(self) -> str | None:
        return sync_status(self._store.sessions).crm_url

    def _adapter(self, url: str) -> SalesforceRest:
        if self._tokens is None or self._url != url:
            self._tokens = login(self._http, url)
            self._url = url
            # A CRM on this computer (demo mode's sandbox) needs no sign-in kept for later.
            if self._tokens.refresh_token and not _on_this_computer(url):
                self.secrets.save(f"refresh:{url}", self._tokens.refresh_token)
        tokens = self._tokens

        def renew() -> str:
            stored = self.secrets.load(f"refresh:{url}") or tokens.refresh_token or ""
            tokens.access_token = refresh(self._http, url, stored).access_token
            return tokens.access_token

        return SalesforceRest(tokens.instance_url, lambda: tokens.access_token, renew,
                              self._http)

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
            report = sync_once(self._store.sessions, self._adapter(url), self._clock)
        except (CrmError, requests.RequestException):
            self.online = False
            raise
        remember_crm(self._store.sessions, url)
        self.online = True
        # Leads that came in from the CRM take their place in the cadence.
        refresh_cadences(self._store.sessions)
        pushed, pulled = report.push, report.pull
        conflicts = f", {pushed.conflicts} conflicts to settle" if pushed.conflicts else ""
        refused = f", {pushed.failed} refused by the CRM" if pushed.failed else ""
        return (f"Synced: {pushed.sent} sent, {pulled.received} received{conflicts}"
                f"{refused}.")
