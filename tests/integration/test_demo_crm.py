"""A demo profile's CRM holds the demo's records under ids that agree with the profile's, so
the loop is real: a new lead goes out, an edit goes out, a change made in the CRM comes in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.cli import main
from desktop.demo import demo_crm_file, make_demo, mark_demo, start_demo_crm
from models.crm.sandbox.server import Sandbox
from models.demo.load import load_demo_data
from models.imports.new_lead import create_lead
from models.reps import current_rep
from models.store import Lead, User
from models.store.open import DATABASE_NAME, Store, open_store
from models.sync.engine import sync_once
from models.sync.fieldmap import field_map, model_of
from tests.integration.conftest import connect


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    make_demo(tmp_path / DATABASE_NAME, leads=150, accounts=60, seed=5)
    store = open_store(tmp_path)
    yield store
    store.close()


def test_the_demo_crm_holds_every_record_under_the_profiles_ids(demo: Store) -> None:
    crm = Sandbox(demo_crm_file(demo)).store
    with demo.sessions() as session:
        for spec in field_map().objects:
            model = model_of(spec.table)
            local = session.scalar(select(func.count()).select_from(model))
            assert len(crm.rows(spec.object)) == local, spec.object
        lead = session.scalars(select(Lead).where(Lead.owner_id.is_not(None)).limit(1)).one()
        owner = session.get(User, lead.owner_id)
        assert owner is not None
        record = crm.get("Lead", lead.crm_id or "")
    assert record is not None
    assert record.fields["RepDesk_Id__c"] == lead.id
    assert record.fields["Company"] == lead.company
    assert record.fields["OwnerId"] == owner.crm_id


def test_a_first_sync_of_a_demo_profile_moves_nothing(demo: Store) -> None:
    server = start_demo_crm(demo)
    try:
        report = sync_once(demo.sessions, connect(server).adapter, _now)
    finally:
        server.stop()
    assert (report.push.sent, report.push.waiting, report.push.failed) == (0, 0, 0)
    assert report.pull.received == 0 and report.pull.deleted == 0


def test_an_edit_goes_out_and_a_change_in_the_crm_comes_in(demo: Store) -> None:
    server = start_demo_crm(demo)
    adapter = connect(server).adapter
    try:
        with demo.sessions.begin() as session:
            lead = session.scalars(select(Lead).order_by(Lead.id).limit(1)).one()
            lead.title = "Head of Demos"
            lead_id, crm_id = lead.id, lead.crm_id or ""
        sent = sync_once(demo.sessions, adapter, _now)
        assert sent.push.sent == 1
        stored = server.sandbox.store.get("Lead", crm_id)
        assert stored is not None and stored.fields["Title"] == "Head of Demos"

        server.sandbox.store.update("Lead", crm_id, {"Phone": "+44 20 7946 0000"})
        pulled = sync_once(demo.sessions, adapter, _now)
    finally:
        server.stop()
    assert pulled.pull.received == 1
    with demo.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.phone == "+44 20 7946 0000"


def test_a_demo_profile_whose_crm_was_empty_is_copied_there_on_start(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    try:
        load_demo_data(store.engine, 80, 30, seed=3)  # as demo profiles were made before
        mark_demo(store)
        server = start_demo_crm(store)
        try:
            report = sync_once(store.sessions, connect(server).adapter, _now)
            leads = len(server.sandbox.store.rows("Lead"))
        finally:
            server.stop()
        with store.sessions() as session:
            unsent = session.scalar(select(func.count()).where(Lead.crm_id.is_(None)))
    finally:
        store.close()
    assert leads == 80 and unsent == 0
    assert report.push.waiting == 0 and report.pull.received == 0


def test_a_headless_demo_profile_pushes_a_new_lead_to_its_own_crm(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-data", "--data-dir", str(tmp_path), "--leads", "120", "--accounts",
                 "40", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["crm"] == str(tmp_path / "demo-crm.db")
    store = open_store(tmp_path)
    try:
        rep = current_rep(store.sessions)
        assert rep is not None
        created = create_lead(store.sessions, {
            "first_name": "Ada", "last_name": "Quist", "company": "Quist Analytics",
            "email": "ada@quist-analytics.example"}, rep.id, _now())
        with store.sessions() as session:
            owner = session.get(User, rep.id)
            owner_crm_id = owner.crm_id if owner else None
    finally:
        store.close()
    assert created.lead_id is not None

    assert main(["sync", "--data-dir", str(tmp_path), "--json"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert (report["pushed"], report["waiting"], report["refused"]) == (1, 0, 0)
    crm = Sandbox(tmp_path / "demo-crm.db").store
    record = crm.by_external_id("Lead", created.lead_id)
    assert record is not None
    assert record.fields["LastName"] == "Quist" and record.fields["OwnerId"] == owner_crm_id


def test_sync_without_a_crm_address_names_what_is_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-data", "--data-dir", str(tmp_path), "--leads", "10", "--accounts", "5",
                 "--without-crm"]) == 0

    assert main(["sync", "--data-dir", str(tmp_path)]) == 2
    assert "--crm" in capsys.readouterr().err
