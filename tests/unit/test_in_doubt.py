"""The merge of a create whose answer was lost with what the CRM holds under its id."""

from __future__ import annotations

from models.sync.fieldmap import field_map
from models.sync.in_doubt import merge_sent

LEADS = next(spec for spec in field_map().objects if spec.table == "leads")


def test_the_crm_still_holding_what_was_sent_takes_the_rep_s_later_value() -> None:
    merged = merge_sent(LEADS, {"title": "CTO"}, {"title": ["CEO"]}, {"Title": "CEO"})
    assert (merged.send, merged.conflicts) == ({"title": "CTO"}, [])


def test_a_colleague_s_edit_of_a_field_the_rep_left_alone_stays() -> None:
    merged = merge_sent(LEADS, {"title": "CEO"}, {"title": ["CEO"]}, {"Title": "VP Sales"})
    assert (merged.send, merged.agreed, merged.conflicts) == ({}, {}, [])


def test_both_sides_changing_a_field_is_a_conflict() -> None:
    merged = merge_sent(LEADS, {"title": "CTO"}, {"title": ["CEO"]}, {"Title": "VP Sales"})
    assert merged.conflicts == [("title", "CEO", "CTO", "VP Sales")]


def test_a_colleague_s_edit_after_two_unconfirmed_attempts_is_a_conflict() -> None:
    """The second attempt (CTO) may never have arrived, and the colleague may have changed
    the first (CEO): neither value may silently win."""
    merged = merge_sent(LEADS, {"title": "CTO"}, {"title": ["CEO", "CTO"]},
                        {"Title": "VP Sales"})
    assert merged.conflicts == [("title", "CTO", "CTO", "VP Sales")]


def test_a_field_never_sent_is_ours_where_the_crm_has_none_and_a_conflict_where_it_has_one(
        ) -> None:
    merged = merge_sent(LEADS, {"city": "Kyoto", "phone": "+81 3 1234 5678"}, {},
                        {"City": None, "Phone": "+81 3 0000 0000"})
    assert merged.send == {"city": "Kyoto"}
    assert [c[0] for c in merged.conflicts] == ["phone"]
