"""Duplicate leads: pairs found and explained, look-alikes left alone."""

from __future__ import annotations

from models.demo.generator import DemoGenerator
from models.hygiene.duplicates import LeadIdentity, find_duplicates, soundex
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
