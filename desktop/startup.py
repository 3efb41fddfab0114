"""Opening a profile: the store, migrated, with every lead placed in its cadence."""

from __future__ import annotations

from pathlib import Path

from models.store.errors import explain
from models.store.open import Store, open_store
from models.touches import refresh_cadences


def open_profile(folder: Path) -> Store:
    """Raises StoreError (with the path in its message) when the store cannot be used:
    refused at opening, or found damaged, full or locked by the first reads and writes."""
    store = open_store(folder)
    try:
        # Leads that arrived without a cadence place (an older schema, an import) get one now.
        refresh_cadences(store.sessions)
    except Exception as error:
        store.close()
        trouble = explain(error, store.path)
        if trouble is None:
            raise
        raise trouble from None
    return store
