"""Opening a profile: the store, migrated, leads due back from nurture returned, and every
lead placed in its cadence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from models.nurture import return_due_from_nurture
from models.store.open import Store, open_store
from models.touches import refresh_cadences


def open_profile(folder: Path) -> Store:
    """Raises StoreError (with the path in its message) when the store cannot be used."""
    store = open_store(folder)
    # Nurture hands back the leads whose follow-up date or nurture period has come.
    return_due_from_nurture(store.sessions, datetime.now(UTC))
    # Leads that arrived without a cadence place (an older schema, an import) get one now.
    refresh_cadences(store.sessions)
    return store
