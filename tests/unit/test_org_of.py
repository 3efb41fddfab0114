"""Which org a token answer signs in to, read from its identity URL: what the sync's
watermarks belong to (models.sync.crm_switch)."""

from __future__ import annotations

import pytest

from models.crm.oauth import org_of


def test_the_org_is_read_from_the_identity_url_in_its_short_form() -> None:
    long = "https://login.salesforce.com/id/00D5g000004Xyz1EAC/0055g00000ABCdeAAG"
    short = "https://login.salesforce.com/id/00D5g000004Xyz1/0055g00000ABCde"
    assert org_of(long) == org_of(short) == "00D5g000004Xyz1"


@pytest.mark.parametrize("identity", [
    None, 42, ["https://x/id/00D5g000004Xyz1/0055g00000ABCde"], "",
    "https://login.salesforce.com/id/001000000000001/0055g00000ABCde",  # not an org's id
    "https://login.salesforce.com/id/00D5g000004Xyz1",  # no user after it
    "https://x/id/00D5g000004Xyz1/0055g00000ABCde" + "x" * 5000,  # not an identity URL
])
def test_an_answer_without_a_usable_identity_names_no_org(identity: object) -> None:
    assert org_of(identity) is None
