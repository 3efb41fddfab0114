"""Duplicate leads: pairs found and explained, look-alikes left alone."""

from __future__ import annotations

from models.demo.generator import DemoGenerator
from models.hygiene.duplicates import (
    DEFAULT_THRESHOLD,
    LeadIdentity,
    find_duplicates,
    mailbox,
    soundex,
)
from tests.conftest import FIXED_NOW


def lead(key: str, first: str | None, last: str, company: str, email: str | None = None,
         phone: str | None = None) -> LeadIdentity:
    return LeadIdentity(key, first, last, company, email, phone)


def _pairs(*leads: LeadIdentity) -> set[tuple[str, str]]:
    return {(p.first, p.second) for p in find_duplicates(list(leads))}


def test_the_same_person_typed_twice_is_found_and_explained() -> None:
    [pair] = find_duplicates([
        lead("a", "Robert", "Smith", "Acme Corp.", "rsmith@acme.com", "+12125550101"),
        lead("b", "Bob", "Smith", "ACME Corporation", "RSmith@Acme.com", None),
    ])
    assert (pair.first, pair.second) == ("a", "b")
    assert pair.score >= 95
    assert dict(pair.reasons)["e-mail"] == 100 and dict(pair.reasons)["name"] == 100


def test_company_variants_and_phonetic_names_pair_up() -> None:
    assert _pairs(
        lead("a", "Jürgen", "Meyer", "The Cedar Health Company GmbH", "j.meyer@cedar.de"),
        lead("b", "Jurgen", "Meyer", "Cedar Health", "jmeyer@cedar.de"),
    ) == {("a", "b")}
    assert soundex("Meyer") == soundex("Maier")


def test_look_alikes_that_are_different_people_are_left_alone() -> None:
    assert _pairs(
        lead("a", "John", "Smith", "Blue Partners", "john@bluepartners.com"),
        lead("b", "Jane", "Smith", "Blue Partners", "jane@bluepartners.com"),
        lead("c", "John", "Smith", "Northwind Foods", "john@northwind.com"),
        lead("d", "Anna", "Klein", "Blue Partners Holdings", "anna@bph.com"),
    ) == set()


def test_demo_duplicates_are_found() -> None:
    generator = DemoGenerator(seed=4, now=FIXED_NOW)
    generator.reference_rows(1500)
    rows = list(generator.lead_rows(3000))
    facts = [lead(r["id"], r["first_name"], r["last_name"], r["company"], r["email"],
                  r["phone"]) for r in rows]
    found = {(p.first, p.second) for p in find_duplicates(facts)}
    truth = {tuple(sorted(pair)) for pair in generator.duplicates}
    recall = len(truth & found) / len(truth)
    assert len(truth) > 50
    assert recall >= 0.95, f"recall {recall:.3f}"


def test_namesakes_with_their_own_work_addresses_are_two_people() -> None:
    assert _pairs(
        lead("a", "Karen", "Lee", "Locorxo Clinics", "karen.lee55@locorxo.com", "+14155550100"),
        lead("b", "Karen", "Lee", "Locorxo Clinics", "karen.lee78@locorxo.com", "+14155550199"),
    ) == set()


def test_the_same_name_at_the_same_company_alone_is_shown_less_sure() -> None:
    # Namesakes work at one company often enough that the name and company alone make a
    # pair worth a look, not a certain one; the same phone number (in any shape) is.
    [pair] = find_duplicates([
        lead("a", "Oscar", "Harris", "Solmerxo Software", "harris.33@web.de", "+17855559975"),
        lead("b", "Oscar", "Harris", "Solmerxo Software Inc.", "oscar@yahoo.com", None)])
    assert DEFAULT_THRESHOLD <= pair.score < 90
    [sure] = find_duplicates([
        lead("a", "Oscar", "Harris", "Solmerxo Software", "harris.33@web.de", "+17855559975"),
        lead("b", "Oscar", "Harris", "Solmerxo Software Inc.", "oscar@yahoo.com",
             "(785) 555-9975")])
    assert sure.score >= 95 and dict(sure.reasons)["phone"] == 100


def test_an_address_with_dots_or_a_tag_is_the_same_mailbox() -> None:
    assert mailbox("J.Meyer+events@Cedar.de") == mailbox("jmeyer@cedar.de")
    assert _pairs(lead("a", "J", "Meyer", "Cedar", "j.meyer@cedar.de"),
                  lead("b", "Jürgen", "Meyer", "Cedar Health", "jmeyer+news@cedar.de")) \
        == {("a", "b")}


def test_a_lead_can_duplicate_a_contact_but_contacts_are_not_paired() -> None:
    found = _pairs(
        LeadIdentity("c1", "Ann", "Lee", "Acme", "ann@acme.com", None, kind="contact"),
        LeadIdentity("c2", "Ann", "Lee", "Acme", "ann@acme.com", None, kind="contact"),
        lead("l1", "Ann", "Lee", "ACME Inc", "ANN@acme.com"))
    assert found == {("c1", "l1"), ("c2", "l1")}


def test_demo_duplicates_are_found_precisely() -> None:
    generator = DemoGenerator(seed=4, now=FIXED_NOW)
    generator.reference_rows(1500)
    rows = list(generator.lead_rows(3000))
    facts = [lead(r["id"], r["first_name"], r["last_name"], r["company"], r["email"],
                  r["phone"]) for r in rows]
    person = {r["id"]: r["id"] for r in rows}
    for original, copy in generator.duplicates:  # a copy of a copy is the same person
        person[copy] = person[original]
    found = find_duplicates(facts)
    right = sum(1 for p in found if person[p.first] == person[p.second])
    assert right / len(found) >= 0.95, f"precision {right / len(found):.3f}"
