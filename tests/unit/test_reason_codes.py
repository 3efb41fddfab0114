"""The reason-code catalogue a manager edits."""

from __future__ import annotations

import pytest

from models.reason_codes import catalogue, choices, save_reason_code
from models.store.open import Store


def test_a_manager_adds_and_retires_codes(store: Store) -> None:
    save_reason_code(store.sessions, "d-no-budget", "D", "No budget at all")
    assert ("D-NO-BUDGET", "No budget at all") in choices(store.sessions, "D")
    save_reason_code(store.sessions, "D-NO-BUDGET", "D", "No budget at all", active=False)
    assert ("D-NO-BUDGET", "No budget at all") not in choices(store.sessions, "D")
    # Retired, never deleted: past qualifications keep a reason to analyse.
    assert any(r.code == "D-NO-BUDGET" and not r.active for r in catalogue(store.sessions))


@pytest.mark.parametrize(("code", "applies_to", "label", "message"), [
    ("", "D", "x", "1 to 40"),
    ("HAS SPACE", "D", "x", "1 to 40"),
    ("OK", "Z", "x", "applies to one of"),
    ("OK", "D", " ", "needs a label"),
    ("A-BUDGET-APPROVED", "D", "moved", "already exists for A"),
])
def test_bad_codes_are_refused(store: Store, code: str, applies_to: str, label: str,
                               message: str) -> None:
    with pytest.raises(ValueError, match=message):
        save_reason_code(store.sessions, code, applies_to, label)
