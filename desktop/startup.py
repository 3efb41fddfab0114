"""Opening a profile: the store, migrated, with every lead placed in its cadence."""

from __future__ import annotations

from pathlib import Path

from models.store.open import Store, open_store
from models.touches import refresh_cadences


def open_profile(folder: Path) -> Store:
    """Raises StoreError (with the path in its message) when the store cannot be used."""
    store = open_store(folder)
    # Leads that arrived without a cadence place (an older schema, an import) get one now.
    refresh_cadences(store.sessions)
    return store
