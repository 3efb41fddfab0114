"""The rep's adapter through a fault proxy in front of the sandbox, with faults planned by
hand: each planned fault strikes the first request that matches it, once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from models.crm.salesforce import SalesforceRest
from models.store.open import Store
from models.sync.engine import SyncReport, sync_once
from tests.integration.conftest import Crm, clock
from tests.integration.fault_proxy import FaultProxy


@dataclass
class Rig:
    crm: Crm
    proxy: FaultProxy
    adapter: SalesforceRest  # the rep's, through the proxy
    plan: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, fault)
    # True: a planned path must be the request path's end (its query left out), so that
    # "/composite/sobjects" is the collection and not also an upsert below it.
    ends_only: bool = False

    def fault(self, method: str, path: str, kind: str, times: int = 1) -> None:
        self.plan.extend([(method, path, kind)] * times)

    def sync(self, store: Store) -> SyncReport:
        return sync_once(store.sessions, self.adapter, clock)

    def decide(self, method: str, path: str) -> str | None:
        for index, (wanted, part, kind) in enumerate(self.plan):
            hit = (path.split("?")[0].endswith(part) if self.ends_only else part in path)
            if wanted == method and hit:
                del self.plan[index]
                return kind
        return None


@contextmanager
def planned_faults(crm: Crm, ends_only: bool = False) -> Iterator[Rig]:
    proxy = FaultProxy(crm.server.base_url).start()
    tokens = crm.tokens
    adapter = SalesforceRest(proxy.base_url, lambda: tokens.access_token,
                             lambda: tokens.access_token, sleep=lambda _s: None)
    rig = Rig(crm, proxy, adapter, ends_only=ends_only)
    proxy.decide = rig.decide
    try:
        yield rig
    finally:
        proxy.stop()
