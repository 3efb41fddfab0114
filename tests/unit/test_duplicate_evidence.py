"""The evidence behind a suspected duplicate, rule by rule, as a rep would notice it: who is
merged, who is left alone, and what the pair says for and against."""

from __future__ import annotations

from models.hygiene.duplicates import LeadIdentity, explain, find_duplicates
from models.hygiene.evidence import phone_key


def person(key: str, first: str | None, last: str, company: str = "",
           email: str | None = None, phone: str | None = None, **more: str) -> LeadIdentity:
    return LeadIdentity(key, first, last, company, email, phone, **more)


def _pairs(*leads: LeadIdentity) -> set[tuple[str, str]]:
    return {(p.first, p.second) for p in find_duplicates(list(leads))}


def test_anna_and_peter_miller_sharing_one_family_mailbox_are_not_merged() -> None:
    anna = person("a", "Anna", "Miller", "Orbit Foods", "millerfamily@gmail.com", "+14155550101",
                  city="Boston", postal_code="02130", street="12 Elm Street")
    peter = person("b", "Peter", "Miller", "", "millerfamily@gmail.com", "+14155550101",
                   city="Boston", postal_code="02130", street="12 Elm Street")
    assert _pairs(anna, peter) == set()
    score, reasons = explain(anna, peter)
    assert score < 50
    assert ("different first name at one mailbox", 0.0) in reasons


def test_one_person_writing_twice_from_the_family_mailbox_is_merged() -> None:
    assert _pairs(person("a", "Robert", "Miller", "Orbit Foods", "millerfamily@gmail.com",
                         "+14155550101"),
                  person("b", "Bob", "Miller", "", "MillerFamily@gmail.com", "(415) 555-0101",
                         country="US")) == {("a", "b")}


def test_two_people_of_one_name_with_no_company_are_not_merged() -> None:
    first, second = person("a", "James", "Miller"), person("b", "James", "Miller")
    assert _pairs(first, second) == set()
    _, reasons = explain(first, second)
    assert "company" not in dict(reasons)  # two empty companies are no evidence


def test_an_initial_meets_the_full_first_name() -> None:
    assert _pairs(person("a", "Anna", "Santos", "Tekmar Health", "anna_santos@tekmar.com",
                         "+13128714132"),
                  person("b", "A.", "Santos", "", "anna_santos@tekmar.com",
                         "+1 312 871 4132")) == {("a", "b")}


def test_first_last_and_an_alias_at_one_company_domain_are_no_conflict() -> None:
    first = person("a", "Anna", "Santos", "Tekmar Health", "anna.santos@tekmar.com",
                   "+13128714132", title="Data Engineer")
    alias = person("b", "Anna", "Santos", "Tekmar Health Inc.", "asantos@tekmar.com",
                   "+13128714132", title="Data Engineer")
    assert _pairs(first, alias) == {("a", "b")}
    _, reasons = explain(first, alias)
    assert not any(field.startswith("different") for field, _ in reasons)


def test_a_surname_typo_in_its_first_letter_still_finds_the_person() -> None:
    assert _pairs(person("a", "Mateo", "Ross", "Corlumcal Aerospace LLC",
                         "mateo.ross@corlumcal.com", "+14158800198", title="IT Manager"),
                  person("b", "Mateo", "Eoss", "Corlumcal Aerospace",
                         "mateo.ross907@yahoo.com", "+1 415-880-0198 ext. 528",
                         title="IT Manager")) == {("a", "b")}


def test_work_and_personal_addresses_of_one_person_pair_up_through_the_phone() -> None:
    assert _pairs(person("a", "Chloé", "Dubois", "Vorlum SA", "chloe.dubois@vorlum.fr",
                         "+33 1 42 68 53 00", title="Buyer", country="FR"),
                  person("b", "Chloe", "Dubois", "Vorlum", "chloe.dubois77@orange.fr",
                         "01 42 68 53 00", title="Buyer", country="FR")) == {("a", "b")}


def test_national_numbers_are_read_in_the_lead_country_or_by_their_digits() -> None:
    assert phone_key("030 1234567", "DE") == phone_key("+49 30 1234567") \
        == phone_key("0049 (30) 123 4567 Durchwahl 12") == (49, "301234567")
    assert phone_key("(415) 555-0101 ext 12", "US") == phone_key("+1.415.555.0101")
    # Without a country, only the national significant digits are compared.
    assert phone_key("030 1234567")[1] == phone_key("+49 30 1234567")[1]  # type: ignore[index]


def test_a_namesake_colleague_with_another_phone_and_title_is_not_merged() -> None:
    work = person("a", "Lina", "Mulder", "Soldriven Partners LLC", "lina.mulder@soldriven.com",
                  "+12066156212", title="Product Manager")
    home = person("b", "Lina", "Mulder", "Soldriven Partners LLC", "lina.mulder55@outlook.com",
                  "+12066646513", title="Chief Financial Officer")
    assert _pairs(work, home) == set()
    _, reasons = explain(work, home)
    assert {"different phone", "different title"} <= {field for field, _ in reasons}


def test_people_known_by_name_and_address_pair_up_on_the_address() -> None:
    assert _pairs(person("a", "tahnee", "campbell", street="150 chillagoe street",
                         city="bethania", postal_code="2785"),
                  person("b", "tahnee", "campbrell", street="150 chillagoje street",
                         city="bethania", postal_code="2784")) == {("a", "b")}
    assert _pairs(person("a", "tahnee", "campbell", street="150 chillagoe street",
                         city="bethania", postal_code="2785"),
                  person("b", "tahnee", "campbell", street="9 harbour road",
                         city="mosman", postal_code="2088")) == set()


def test_transliterated_names_are_the_same_names() -> None:
    assert _pairs(person("a", "Jürgen", "Müller", "Lanost Logistics AG", "jm@lanost.de",
                         "+49 89 3961644"),
                  person("b", "Juergen", "Mueller", "Lanost Logistics", None,
                         "089 3961644", country="DE")) == {("a", "b")}


def test_swapped_first_and_last_names_are_the_same_person() -> None:
    assert _pairs(person("a", "harley", "lowe", street="3 fox place", city="gerogery",
                         postal_code="4702"),
                  person("b", "lowe", "harley", street="3 fox place", city="gerogery",
                         postal_code="4702")) == {("a", "b")}


def test_two_letters_typed_the_other_way_round_are_the_same_first_name() -> None:
    amy = person("a", "Amy", "Dudley", street="8 Wambool Street", postal_code="2080")
    aym = person("b", "Aym", "Dudley", street="8 Wambool Street", postal_code="2080")
    _, reasons = explain(amy, aym)
    assert ("different first name", 0.0) not in reasons
    # One letter changed makes another name: Jade and Jake are two people.
    jade = person("c", "Jade", "Dudley", street="8 Wambool Street", postal_code="2080")
    jake = person("d", "Jake", "Dudley", street="8 Wambool Street", postal_code="2080")
    assert ("different first name", 0.0) in explain(jade, jake)[1]


def test_typos_in_the_street_name_and_postcode_still_meet_through_number_and_town() -> None:
    # Known by name and address only, and every key but the house number and the town
    # mistyped somewhere: surname's first letter, the first name, street and postcode.
    emily = person("a", "Emily", "Nguyen", street="215 Lelta Place", city="Nowra",
                   postal_code="4179")
    again = person("b", "Emiyl", "Mguyen", street="215 Leltaplace", city="Nowra",
                   postal_code="1479")
    assert _pairs(emily, again) == {("a", "b")}
    # The same house number in the same town is not enough by itself.
    other = person("c", "Oscar", "Harris", street="215 Beach Road", city="Nowra",
                   postal_code="2541")
    assert _pairs(emily, other) == set()


def test_one_street_name_in_another_postal_code_and_town_is_another_street() -> None:
    here = person("a", None, "", street="12 high street", city="ryde", postal_code="2112")
    there = person("b", None, "", street="12 high street", city="mosman", postal_code="2088")
    again = person("c", None, "", street="12 high street", city="ryde", postal_code="2112")
    assert _pairs(here, there) == set()
    assert {"different postal code", "different city"} <= {f for f, _ in explain(here, there)[1]}
    assert _pairs(here, again) == {("a", "c")}
