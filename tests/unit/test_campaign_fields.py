"""The lead's campaign from an import's ``campaign`` or ``utm_campaign`` column and from New
lead: names matched to campaigns, unknown ones reported per row and kept, nothing lost."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from models.imports.campaigns import UNMATCHED_KEY
from models.imports.leads_import import ImportOptions, check_import, run_import
from models.imports.mapping import guess_mapping
from models.imports.new_lead import create_lead
from models.imports.reading import read_table
from models.store import Campaign, Lead, User
from models.store.open import Store
from tests.conftest import FIXED_NOW


@pytest.fixture
def rep_id(store: Store) -> str:
    with store.sessions.begin() as session:
        rep = User(name="Amelia Hughes", email="amelia@repdesk.test", role="SDR-inbound")
        session.add_all([rep, Campaign(name="Spring Webinar 2026"),
                         Campaign(name="Trade fair Köln")])
        session.flush()
        return rep.id


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _campaign_of(store: Store) -> dict[str, tuple[str | None, dict]]:
    with store.sessions() as session:
        names = dict(session.execute(select(Campaign.id, Campaign.name)).tuples().all())
        return {lead.last_name: (names.get(lead.campaign_id or ""), lead.registration)
                for lead in session.scalars(select(Lead))}


def test_utm_campaign_slugs_find_their_campaign_and_unknown_names_are_kept(
        tmp_path: Path, store: Store, rep_id: str) -> None:
    table = read_table(_csv(tmp_path / "leads.csv", ["Name", "Company", "Email", "utm_campaign"], [
        ["Jürgen Müller", "Nordlicht GmbH", "j@nordlicht.de", "spring-webinar-2026"],
        ["Priya Raman", "Keystone", "priya@keystone.com", "autumn_promo"],
        ["Tom Okafor", "Bluewater", "tom@bluewater.co.uk", ""]]))
    mapping = guess_mapping(table.header)
    assert mapping[3] == "utm_campaign"
    check = check_import(store.sessions, table, mapping)
    assert [(u.row, u.column, u.name) for u in check.unknown_campaigns] == [
        (3, "utm_campaign", "autumn_promo")]
    assert check.row_status(3).startswith("ready; utm_campaign: no campaign is named "
                                          "‘autumn_promo’")
    assert check.row_status(2) == "ready"
    assert "1 row naming a campaign RepDesk does not know" in check.summary()
    report = run_import(store.sessions, table, mapping, ImportOptions(rep_id, FIXED_NOW))
    assert report.written and len(report.lead_ids) == 3
    assert "No campaign named ‘autumn_promo’ (row 3)" in report.summary()
    leads = _campaign_of(store)
    assert leads["Müller"] == ("Spring Webinar 2026", {})
    assert leads["Raman"] == (None, {UNMATCHED_KEY: "autumn_promo"})
    assert leads["Okafor"] == (None, {})


def test_a_campaign_column_wins_over_utm_campaign_and_accents_do_not_matter(
        tmp_path: Path, store: Store, rep_id: str) -> None:
    table = read_table(_csv(tmp_path / "leads.csv",
                            ["Last name", "Company", "Campaign", "UTM Campaign"], [
        ["Weber", "Cedar", "Trade fair Koln", "spring-webinar-2026"],
        ["Koch", "Cedar", "", "spring-webinar-2026"]]))
    mapping = guess_mapping(table.header)
    assert mapping[2:] == ("campaign", "utm_campaign")
    report = run_import(store.sessions, table, mapping, ImportOptions(rep_id, FIXED_NOW))
    assert report.written and not report.check.unknown_campaigns
    leads = _campaign_of(store)
    assert leads["Weber"][0] == "Trade fair Köln"
    assert leads["Koch"][0] == "Spring Webinar 2026"


def test_new_lead_takes_a_known_campaign_and_refuses_a_typo_writing_nothing(
        store: Store, rep_id: str) -> None:
    typed = {"first_name": "Lea", "last_name": "Koch", "company": "Cedar Health",
             "campaign": "Spring Webinar 2O26"}
    refused = create_lead(store.sessions, typed, rep_id, FIXED_NOW)
    assert refused.lead_id is None
    assert refused.problems == {"campaign": "No campaign is named ‘Spring Webinar 2O26’: pick "
                                            "one of the suggestions, or leave it empty."}
    assert _campaign_of(store) == {}
    created = create_lead(store.sessions, typed | {"campaign": "spring webinar 2026"}, rep_id,
                          FIXED_NOW)
    assert created.lead_id is not None
    assert _campaign_of(store)["Koch"][0] == "Spring Webinar 2026"


def test_the_campaign_table_sorts_by_any_column_and_the_csv_follows(
        tmp_path: Path, store: Store, rep_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main

    table = read_table(_csv(tmp_path / "leads.csv", ["Last name", "Company", "Campaign"], [
        ["Weber", "Cedar", "Trade fair Köln"], ["Koch", "Cedar", "Spring Webinar 2026"],
        ["Roth", "Ulm AG", "Spring Webinar 2026"]]))
    run_import(store.sessions, table, guess_mapping(table.header),
               ImportOptions(rep_id, FIXED_NOW))
    folder = str(store.path.parent)
    out = tmp_path / "campaigns.csv"
    assert main(["campaigns", "--data-dir", folder, "--sort", "campaign", "--reverse",
                 "--csv", str(out)]) == 0
    rows = out.read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[:2] for row in rows[1:]] == [["Trade fair Köln", "1"],
                                                       ["Spring Webinar 2026", "2"]]
    assert main(["campaigns", "--data-dir", folder, "--sort", "responses", "--json"]) == 0
    printed = capsys.readouterr().out.splitlines()[-1]
    assert printed.index("Spring Webinar 2026") < printed.index("Trade fair Köln")
    with pytest.raises(SystemExit):
        main(["campaigns", "--data-dir", folder, "--sort", "colour"])
    assert "invalid choice: 'colour'" in capsys.readouterr().err
