"""Local ids: unique, and in the order they were made (millisecond by millisecond)."""

from __future__ import annotations

import time
import uuid

from models.store.base import new_id


def test_ids_are_version_7_uuids_unique_and_sorted_by_when_they_were_made() -> None:
    earlier = [new_id() for _ in range(1000)]
    time.sleep(0.002)
    later = new_id()
    assert len(set(earlier)) == 1000
    assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 7 for i in earlier)
    assert all(uuid.UUID(i).variant == uuid.RFC_4122 for i in earlier)
    assert max(earlier) < later
    made_ms = int(later.replace("-", "")[:12], 16)
    assert abs(made_ms / 1000 - time.time()) < 5
