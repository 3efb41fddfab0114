"""Demo mode: a first run with no CRM gets a realistic team's data to work with, and a
sandbox CRM running inside the app that holds the same records under the same ids, so the
whole loop (an edit sent, a change pulled, a conflict settled) works with no account
anywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from models.crm.sandbox.server import Sandbox, SandboxServer
from models.demo.crm_copy import CrmCopy, copy_to_crm, needs_copy
from models.demo.load import load_demo_data, needs_demo_data
from models.store import Setting
from models.store.open import Store
from models.sync.status import remember_crm

FIRST_RUN_LEADS = 5_000
FIRST_RUN_ACCOUNTS = 2_500
FIRST_RUN_SEED = 2026
DEMO_SETTING = "demo_mode"
SANDBOX_FILE = "demo-crm.db"


def _now() -> datetime:
    return datetime.now(UTC)


def prepare_demo(store: Store) -> bool:
    """Fill a first-run store with demo data, and its demo CRM with the same records; True if
    it did."""
    if not needs_demo_data(store.sessions):
        return False
    make_demo(store, FIRST_RUN_LEADS, FIRST_RUN_ACCOUNTS, FIRST_RUN_SEED)
    return True


def make_demo(store: Store, leads: int, accounts: int, seed: int,
              with_crm: bool = True) -> dict[str, int]:
    """Demo data in an empty store (rows written per table) and, ``with_crm``, the same
    records in the profile's demo CRM, a new one."""
    if not with_crm:
        return load_demo_data(store.engine, leads, accounts, seed)
    path = demo_crm_file(store)
    for stale in (path, path.with_name(path.name + "-journal")):
        stale.unlink(missing_ok=True)  # a CRM left from an earlier demo holds other records
    sandbox = Sandbox(path)
    try:
        copy = CrmCopy(sandbox.store)
        counts = load_demo_data(store.engine, leads, accounts, seed, to_crm=copy)
        copy.finish(store.engine, _now())
    finally:
        sandbox.store.close()
    mark_demo(store)
    return counts


def mark_demo(store: Store) -> None:
    with store.sessions.begin() as session:
        session.merge(Setting(key=DEMO_SETTING, value=True))


def in_demo_mode(store: Store) -> bool:
    with store.sessions() as session:
        setting = session.get(Setting, DEMO_SETTING)
        return bool(setting and setting.value)


def demo_crm_file(store: Store) -> Path:
    return store.path.parent / SANDBOX_FILE


def fill_demo_crm(store: Store, now: Callable[[], datetime] = _now) -> dict[str, int]:
    """Copy the profile's records into its demo CRM when that CRM is still empty (a first
    run, or a demo profile made before the CRM held them). Returns records copied per
    object."""
    sandbox = Sandbox(demo_crm_file(store))
    try:
        if not needs_copy(store.engine, sandbox.store):
            return {}
        return copy_to_crm(store.engine, sandbox.store, now)
    finally:
        sandbox.store.close()


def start_demo_crm(store: Store, folder: Path | None = None) -> SandboxServer:
    """The profile's own sandbox CRM, kept in a file beside the store across sessions."""
    fill_demo_crm(store)
    server = SandboxServer(Sandbox((folder or store.path.parent) / SANDBOX_FILE)).start()
    remember_crm(store.sessions, server.base_url)
    return server
