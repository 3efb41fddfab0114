"""A new lead is checked against the leads and contacts already known before it is written."""

from __future__ import annotations

from models.hygiene.duplicates import LeadIdentity
from models.hygiene.entry import known_duplicates
from models.store import Account, Contact, Lead
from models.store.open import Store
from tests.conftest import FIXED_NOW


def test_a_new_entry_is_caught_against_leads_contacts_and_the_rest_of_the_batch(
        store: Store) -> None:
    with store.sessions.begin() as session:
        session.add(Account(id="acc", name="Acme Analytics Inc.", kind="customer"))
        session.flush()
        session.add(Contact(id="c1", account_id="acc", first_name="Ann", last_name="Lee",
                            email="ann.lee@acme.com"))
        session.add(Lead(id="l1", first_name="Robert", last_name="Smith", company="Orion",
                         email="rsmith@orion.com", phone="+12125550101", created_at=FIXED_NOW))
    entries = [
        LeadIdentity("row 2", "Ann", "Lee", "ACME Analytics", "ANN.LEE@acme.com", None),
        LeadIdentity("row 3", "Bob", "Smith", "Orion Inc", None, "+12125550101"),
        LeadIdentity("row 4", "Nia", "Patel", "Delta Foods", "nia@delta.com", None),
        LeadIdentity("row 5", "Nia", "Patel", "Delta Foods Ltd", "nia@delta.com", None),
    ]
    with store.sessions() as session:
        found = known_duplicates(session, entries)
    assert set(found) == {"row 2", "row 3", "row 5"}
    [contact] = found["row 2"]
    assert (contact.id, contact.kind, contact.company) == ("c1", "contact", "Acme Analytics Inc.")
    assert "e-mail 100" in contact.why
    assert found["row 3"][0].id == "l1" and "phone 100" in found["row 3"][0].why
    assert found["row 5"][0].id == "row 4"  # the later row of the file is the copy
