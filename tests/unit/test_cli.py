"""`repdesk` without a window: profiles, demo data, JSON output and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from models.store.open import DATABASE_NAME


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "demo-data" in out and "--data-dir" in out


def test_demo_data_fills_the_chosen_profile_and_reports_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo-data", "--data-dir", str(tmp_path / "p1"), "--leads", "200",
                 "--accounts", "80", "--seed", "3", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["leads"] == 200
    assert report["counts"]["accounts"] == 80
    assert report["path"] == str(tmp_path / "p1" / DATABASE_NAME)
    assert report["leads_per_second"] > 0


def test_data_dir_before_the_command_is_kept(tmp_path: Path) -> None:
    assert main(["--data-dir", str(tmp_path / "p2"), "demo-data", "--leads", "10",
                 "--accounts", "5"]) == 0
    assert (tmp_path / "p2" / DATABASE_NAME).exists()


def test_demo_data_refuses_a_profile_that_has_data(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["demo-data", "--data-dir", str(tmp_path), "--leads", "10", "--accounts", "5"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 2
    assert "already holds data" in capsys.readouterr().err


def test_a_corrupt_store_is_named_and_the_command_fails(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / DATABASE_NAME).write_bytes(b"\x00garbage" * 64)
    assert main(["demo-data", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / DATABASE_NAME) in err
    assert (tmp_path / DATABASE_NAME).read_bytes() == b"\x00garbage" * 64


def test_negative_sizes_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-data", "--data-dir", str(tmp_path), "--leads", "-5"]) == 2
    assert "number of leads must be a whole number from 0 to" in capsys.readouterr().err


def test_queue_prints_the_work_list_of_the_rep_named_with_as(
        demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import select

    from models.reps import current_rep
    from models.store import User
    from models.store.open import open_store

    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / DATABASE_NAME).write_bytes((demo_folder / DATABASE_NAME).read_bytes())
    store = open_store(folder)
    rep = current_rep(store.sessions)
    with store.sessions() as session:
        other = session.scalars(select(User).where(User.role == "SDR-outbound")).first()
        assert rep is not None and other is not None and other.email
        email = other.email
    store.close()
    at = ["--at", "2026-11-24T15:00:00+00:00", "--json"]
    assert main(["queue", "--data-dir", str(folder), *at]) == 0
    mine = {lead["lead_id"] for group in json.loads(capsys.readouterr().out)["groups"]
            for lead in group["leads"]}
    assert main(["queue", "--data-dir", str(folder), "--as", email.upper(), *at]) == 0
    theirs = {lead["lead_id"] for group in json.loads(capsys.readouterr().out)["groups"]
              for lead in group["leads"]}
    assert theirs and mine.isdisjoint(theirs)
    assert main(["queue", "--data-dir", str(folder), "--as", "nobody@example.com"]) == 2
    assert "No rep 'nobody@example.com'" in capsys.readouterr().err
