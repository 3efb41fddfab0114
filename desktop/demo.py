"""Demo mode: a first run with no CRM gets a realistic team's data to work with, and a
sandbox CRM running inside the app, so the whole loop (sync included) works with no account
anywhere."""

from __future__ import annotations

from pathlib import Path

from models.crm.sandbox.server import Sandbox, SandboxServer
from models.demo.load import build_demo_store, needs_demo_data
from models.store import Setting
from models.store.open import Store
from models.sync.status import remember_crm

FIRST_RUN_LEADS = 5_000
FIRST_RUN_ACCOUNTS = 2_500
FIRST_RUN_SEED = 2026
DEMO_SETTING = "demo_mode"
SANDBOX_FILE = "demo-crm.db"


def prepare_demo(store: Store) -> bool:
    """Fill a first-run store with demo data; True if it did. The store is closed then (the
    demo store replaces its file whole): open the profile again."""
    if not needs_demo_data(store.sessions):
        return False
    store.close()
    build_demo_store(store.path, FIRST_RUN_LEADS, FIRST_RUN_ACCOUNTS, FIRST_RUN_SEED,
                     settings={DEMO_SETTING: True}, past=True)
    return True


def in_demo_mode(store: Store) -> bool:
    with store.sessions() as session:
        setting = session.get(Setting, DEMO_SETTING)
        return bool(setting and setting.value)


def start_demo_crm(store: Store, folder: Path) -> SandboxServer:
    """The profile's own sandbox CRM, kept in a file beside the store across sessions."""
    server = SandboxServer(Sandbox(folder / SANDBOX_FILE)).start()
    remember_crm(store.sessions, server.base_url)
    return server
