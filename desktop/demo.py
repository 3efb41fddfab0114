"""Demo mode: a first run with no CRM gets a realistic team's data to work with."""

from __future__ import annotations

from models.demo.load import load_demo_data, needs_demo_data
from models.store.open import Store

FIRST_RUN_LEADS = 5_000
FIRST_RUN_ACCOUNTS = 2_500
FIRST_RUN_SEED = 2026


def prepare_demo(store: Store) -> bool:
    """Fill a first-run store with demo data; True if it did."""
    if not needs_demo_data(store.sessions):
        return False
    load_demo_data(store.engine, FIRST_RUN_LEADS, FIRST_RUN_ACCOUNTS, FIRST_RUN_SEED)
    return True
