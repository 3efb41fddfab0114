"""Values out of any sane range, through the services and commands that take them: each ends
in a message naming the field and its range, and the store is left as it was."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.cli import main
from desktop.queue_command import parse_moment
from models import bounds
from models.closing import CloseDraft, CloseError, LineItem, NewContact, close_opportunity
from models.closing import problems_of as close_problems
from models.imports.fields import check_person
from models.imports.new_lead import create_lead
from models.opportunities import create_opportunity
from models.qualification import QualificationDraft
from models.qualification import problems_of as qualification_problems
from models.store import Account, Contact, Opportunity, Product, User
from models.store.open import Store
from tests.unit.hostile import repdesk, store_state

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
WON_REASONS = {"WIN-FEATURES": "won"}
FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def deal(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris")
        account = Account(name="Lyon Freight SAS", kind="prospect")
        seat = Product(name="RepDesk Pro seat", code="RD-PRO", list_price=1200.0)
        session.add_all([ae, account, seat])
        session.flush()
        billing = Contact(account_id=account.id, last_name="Moreau", email="i@lyon.fr")
        opportunity = Opportunity(name="Lyon Freight - new business", account_id=account.id,
                                  owner_id=ae.id, stage="Negotiation", created_at=NOW)
        session.add_all([billing, opportunity])
    return {"ae": ae.id, "seat": seat.id, "billing": billing.id, "opportunity": opportunity.id}


def won(deal: dict[str, str], quantity: object = 10, price: object = 1200.0,
        product: str | None = None) -> CloseDraft:
    return CloseDraft(
        outcome="won", reason_code="WIN-FEATURES", competitor="Northwind CRM",
        lines=(LineItem(product or deal["seat"], quantity, price),),  # type: ignore[arg-type]
        contract_term_months=24, support_contract="Premium",
        billing_contact_id=deal["billing"], payment_terms="Net 30",
        new_technical_contacts=(NewContact("Léa", "Roux", "lea@lyon.fr"),))


@pytest.mark.parametrize(("quantity", "price", "named"), [
    (10, math.inf, "Price must be a number from 0 to 1,000,000,000"),
    (10, math.nan, "Price must be"),
    (10**20, 1200.0, "Quantity must be a whole number from 1 to 1,000,000"),
    (math.nan, 1200.0, "Quantity must be"),
    (2.5, 1200.0, "Quantity must be a whole number"),
    (1_000_000, 999_999_999.0, "Amount must be a number from 0 to 999,999,999,999"),
])
def test_an_impossible_line_is_refused_and_the_deal_stays_open(
        store: Store, deal: dict[str, str], quantity: object, price: object,
        named: str) -> None:
    before = store_state(store.path)
    with pytest.raises(CloseError) as refused:
        close_opportunity(store.sessions, deal["opportunity"], won(deal, quantity, price),
                          deal["ae"], NOW)
    assert named in refused.value.problems["lines"]
    assert store_state(store.path) == before
    with store.sessions() as session:
        opportunity = session.get(Opportunity, deal["opportunity"])
        assert opportunity is not None and not opportunity.is_closed


def test_an_unknown_product_is_named_not_a_traceback(store: Store, deal: dict[str, str]) -> None:
    before = store_state(store.path)
    with pytest.raises(CloseError, match="not in the price list"):
        close_opportunity(store.sessions, deal["opportunity"],
                          won(deal, product="no-such-product"), deal["ae"], NOW)
    assert store_state(store.path) == before


def test_a_draft_holding_text_for_numbers_is_restored_and_refused(deal: dict[str, str]) -> None:
    data = won(deal).to_json()
    data["lines"] = [[deal["seat"], "a lot", "Infinity"]]
    draft = CloseDraft.from_json(data)
    assert "Quantity must be" in close_problems(draft, WON_REASONS, {deal["seat"]})["lines"]


def test_text_longer_than_its_column_is_refused(deal: dict[str, str]) -> None:
    draft = replace(won(deal), po_number="P" * 61)
    assert close_problems(draft, WON_REASONS)["po_number"] == (
        "PO number is 61 characters long; at most 60 fit.")


@FAST
@given(quantity=st.one_of(st.integers(), st.floats()),
       price=st.one_of(st.integers(), st.floats()))
def test_any_line_is_either_saveable_and_bounded_or_refused(quantity: object,
                                                           price: object) -> None:
    deal = {"seat": "seat", "billing": "billing"}
    problems = close_problems(won(deal, quantity, price), WON_REASONS, {"seat"})
    if "lines" not in problems:
        assert isinstance(quantity, (int, float)) and isinstance(price, (int, float))
        assert 1 <= quantity <= 1_000_000 and float(quantity).is_integer()
        assert 0 <= price <= 1_000_000_000
        assert math.isfinite(won(deal, quantity, price).amount)


@FAST
@given(st.one_of(st.integers(), st.floats(), st.text(max_size=30)))
def test_the_boundary_returns_a_bounded_number_or_names_field_and_range(value: object) -> None:
    try:
        employees = bounds.whole("employees", value)
    except bounds.OutOfBounds as error:
        assert str(error).startswith("Employees must be a whole number from 0 to 10,000,000")
        assert error.field == "employees"
    else:
        assert 0 <= employees <= 10_000_000


@pytest.mark.parametrize("employees", ["1" + "0" * 30, "9" * 5000, "20,000,000"])
def test_an_impossible_employee_count_is_a_problem_of_its_field(employees: str) -> None:
    entry, problems = check_person({"last_name": "Doe", "company": "Acme",
                                    "employees": employees})
    assert entry is None
    assert problems["employees"].startswith("Employees must be a whole number from 0 to")


def test_a_new_lead_with_ten_to_the_thirty_employees_is_refused(store: Store,
                                                                 deal: dict[str, str]) -> None:
    before = store_state(store.path)
    result = create_lead(store.sessions, {"last_name": "Doe", "company": "Acme",
                                          "employees": "1" + "0" * 30}, deal["ae"], NOW)
    assert result.lead_id is None
    assert "Employees must be" in result.problems["employees"]
    assert store_state(store.path) == before


def test_an_import_with_ten_to_the_thirty_employees_names_the_row(
        tmp_path: Path, demo_folder: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "repdesk.db").write_bytes((demo_folder / "repdesk.db").read_bytes())
    before = store_state(profile / "repdesk.db")
    source = tmp_path / "big.csv"
    source.write_text("Last name,Company,Employees\nDoe,Acme,1" + "0" * 30 + "\n"
                      "Roe,Beta,250\n", encoding="utf-8")
    done = repdesk("import", str(source), "--data-dir", str(profile))
    assert done.code == 2
    assert "Row 2, Employees: Employees must be a whole number from 0 to 10,000,000" in done.out
    assert store_state(profile / "repdesk.db") == before


def test_a_follow_up_date_centuries_away_is_refused() -> None:
    draft = QualificationDraft(category="C", reason_code="C-TIMING",
                               follow_up_on=date(9999, 12, 31))
    problems = qualification_problems(draft, {"C-TIMING": "C"}, NOW.date())
    assert "within ten years" in problems["follow_up_on"]


def test_an_opportunity_closing_in_year_9999_is_refused(store: Store) -> None:
    with pytest.raises(bounds.OutOfBounds, match="expected close date must be between"):
        create_opportunity(store.sessions, "Big one", None, None, date(9999, 12, 31), NOW)
    with store.sessions() as session:
        assert session.scalars(select(Opportunity)).first() is None


@pytest.mark.parametrize("moment", ["9999-12-31T23:00", "0001-01-01T00:00", "2300-01-01"])
def test_queue_at_the_end_of_the_calendar_says_what_it_takes(moment: str) -> None:
    with pytest.raises(bounds.OutOfBounds, match=r"--at must be between .* \(it was"):
        parse_moment(moment, "America/New_York", NOW)


@FAST
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_any_planned_moment_is_used_or_refused(moment: datetime) -> None:
    try:
        parsed = parse_moment(moment.isoformat(), "Pacific/Kiritimati", NOW)
    except bounds.OutOfBounds:
        assert abs((moment - NOW.replace(tzinfo=None)).days) > 3600
    else:
        assert abs(parsed - NOW) < timedelta(days=3660)


def test_queue_at_9999_from_the_command_line_is_a_message(
        demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = store_state(demo_folder / "repdesk.db")
    assert main(["queue", "--data-dir", str(demo_folder), "--at", "9999-12-31T23:00"]) == 2
    assert "--at must be between" in capsys.readouterr().err
    assert store_state(demo_folder / "repdesk.db") == before


@pytest.mark.parametrize("address", ["https://", "https:///path", "https://:443",
                                     "https://host:99999", "ftp://crm.example.com",
                                     "https://exa mple.com"])
def test_a_crm_address_without_a_host_is_refused_before_any_sign_in(
        tmp_path: Path, address: str) -> None:
    done = repdesk("sync", "--crm", address, "--data-dir", str(tmp_path))
    assert done.code == 2
    assert "The CRM's address must be a web address with a host" in done.err \
        or "https only" in done.err
    assert not (tmp_path / "repdesk.db").exists()


@pytest.mark.parametrize(("args", "named"), [
    (["demo-data", "--leads", str(10**30)], "number of leads must be a whole number"),
    (["demo-data", "--accounts", "-1"], "number of accounts must be"),
    (["sandbox", "--port", "70000"], "The port must be a whole number from 0 to 65,535"),
])
def test_command_line_numbers_out_of_range_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
        named: str) -> None:
    assert main([*args, "--data-dir", str(tmp_path)]) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "repdesk.db").exists()


@pytest.mark.parametrize("moment", ["25:00", "tomorrow 10:99", "2026-13-01T10:00", "soon"])
def test_queue_at_a_time_that_does_not_exist_says_what_it_takes(moment: str) -> None:
    with pytest.raises(ValueError, match="is not a time: use HH:MM, 'tomorrow HH:MM'"):
        parse_moment(moment, "Europe/Berlin", NOW)
