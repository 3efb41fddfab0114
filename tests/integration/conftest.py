"""The sandbox CRM over real HTTP on loopback, and an adapter signed in to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from models.crm.oauth import Tokens, approve_at_once, refresh
from models.crm.salesforce import SalesforceRest
from models.crm.sandbox.server import Sandbox, SandboxServer


@dataclass
class Crm:
    server: SandboxServer
    adapter: SalesforceRest
    tokens: Tokens

    @property
    def sandbox(self) -> Sandbox:
        return self.server.sandbox


def connect(server: SandboxServer, **options: Any) -> Crm:
    """A signed-in adapter; ``options`` go to SalesforceRest (its ``sleep`` waits for nothing
    unless a test passes its own)."""
    http = requests.Session()
    tokens = approve_at_once(http, server.base_url)

    def renew() -> str:
        assert tokens.refresh_token is not None
        tokens.access_token = refresh(http, server.base_url, tokens.refresh_token).access_token
        return tokens.access_token

    adapter = SalesforceRest(tokens.instance_url, lambda: tokens.access_token, renew, http,
                             **{"sleep": lambda _s: None, "org": tokens.org, **options})
    return Crm(server, adapter, tokens)


@pytest.fixture
def crm() -> Iterator[Crm]:
    server = SandboxServer(Sandbox()).start()
    yield connect(server)
    server.stop()


def clock() -> datetime:
    return datetime.now(UTC)
