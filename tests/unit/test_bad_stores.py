"""Store files RepDesk must not use or cannot write: each is told for what it is, with the
right advice, no traceback, and the file exactly as it was."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from models.demo.load import needs_demo_data
from models.store.errors import StoreError, explain
from models.store.migrate import APPLICATION_ID
from models.store.open import DATABASE_NAME, open_store
from tests.unit.hostile import COMMAND_SECONDS, ROOT, repdesk, store_state

LEAD_FILE = "First name,Last name,Company,Email\n" + "".join(
    f"Zinnia{n},Quillfeather{n},Firm{n} Ltd,z{n}@firm{n}.example\n" for n in range(2_000))


@pytest.fixture
def profile(tmp_path: Path, demo_folder: Path) -> Path:
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / DATABASE_NAME).write_bytes((demo_folder / DATABASE_NAME).read_bytes())
    return folder


def _refused(folder: Path, *command: str) -> str:
    """``repdesk queue`` (or ``command``) on ``folder``: refused with a message."""
    done = repdesk(*(command or ("queue",)), "--data-dir", str(folder))
    assert done.code == 2, done
    return done.err


def test_a_file_holding_only_a_view_and_its_own_version_is_another_programs(
        tmp_path: Path) -> None:
    path = tmp_path / DATABASE_NAME
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA user_version = 7")
        connection.execute("CREATE VIEW answer AS SELECT 42 AS value")
        connection.commit()
    before = path.read_bytes()
    assert "an SQLite database of another program" in _refused(tmp_path)
    assert path.read_bytes() == before
    assert not (tmp_path / f"{DATABASE_NAME}-wal").exists()


def test_another_programs_alembic_database_is_not_called_a_newer_repdesk(
        tmp_path: Path) -> None:
    path = tmp_path / DATABASE_NAME
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('3f2a9c1b7d4e')")
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        connection.commit()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program") as refused:
        open_store(tmp_path)
    assert "newer" not in str(refused.value)
    assert path.read_bytes() == before


def test_a_folder_named_like_the_store_is_told_apart(tmp_path: Path) -> None:
    (tmp_path / DATABASE_NAME).mkdir()
    assert f"{tmp_path / DATABASE_NAME} is a folder, where RepDesk keeps its store file" \
        in _refused(tmp_path)


def test_a_data_dir_that_is_a_file_is_told_apart(tmp_path: Path) -> None:
    chosen = tmp_path / "notes.txt"
    chosen.write_text("my notes")
    assert f"The profile folder {chosen} is a file, not a folder" in _refused(chosen)
    assert f"{chosen} is a file" in _refused(chosen / "inside")
    assert chosen.read_text() == "my notes"


def _damage_table(path: Path, table: str) -> None:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                                  (table,)).fetchone()[0]
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xa5" * page_size)


@pytest.mark.parametrize(("table", "command"), [
    ("leads", ("queue",)), ("leads", ("export", "out.csv")),
    ("activities", ("queue", "--block", "clean-up")),
])
def test_a_corrupt_page_is_named_damaged_in_every_command(
        profile: Path, table: str, command: tuple[str, ...]) -> None:
    path = profile / DATABASE_NAME
    _damage_table(path, table)
    before = path.read_bytes()
    args = [str(profile / a) if a.endswith(".csv") else a for a in command]
    message = _refused(profile, *args)
    assert f"{path} is damaged and cannot be read" in message
    assert "Restore it from a backup" in message
    assert path.read_bytes() == before


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and subprocess.run(
        ["mount", "--version"], capture_output=True, check=False).returncode == 0


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[Callable[[], None]]:
    """``folder`` (empty at first), and a function that makes it and its files read-only:
    by permissions, or for root (whom permissions do not stop) by mounting it read-only."""
    folder.mkdir()
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        def by_permissions() -> None:
            for item in folder.rglob("*"):
                item.chmod(0o555 if item.is_dir() else 0o444)
            folder.chmod(0o555)

        try:
            yield by_permissions
        finally:
            folder.chmod(0o755)
        return
    if not _can_mount() or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)],
            capture_output=True, check=False).returncode != 0:
        pytest.skip("running as root where no file system can be mounted read-only")
    try:
        yield lambda: subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_read_only_store_is_called_read_only_never_damaged(
        tmp_path: Path, demo_folder: Path) -> None:
    with _read_only(tmp_path / "ro") as make_read_only:
        path = tmp_path / "ro" / DATABASE_NAME
        path.write_bytes((demo_folder / DATABASE_NAME).read_bytes())
        before = store_state(path)
        make_read_only()
        message = _refused(tmp_path / "ro")
        assert f"RepDesk cannot write to {path}" in message and "read-only" in message
        assert "damaged" not in message and "move it away" not in message
        assert store_state(path) == before


def test_a_fresh_read_only_folder_is_called_read_only(tmp_path: Path) -> None:
    with _read_only(tmp_path / "ro") as make_read_only:
        make_read_only()
        message = _refused(tmp_path / "ro")
        assert f"RepDesk cannot write to the folder {tmp_path / 'ro'}" in message
        assert "Please report" not in message and "sqlalchemy" not in message.lower()
        message = _refused(tmp_path / "ro" / "new")
        assert "read-only" in message


def _file_size_limit(limit: int) -> Callable[[], None]:
    # A disk that fills up, as a process sees it: writes past ``limit`` bytes fail.
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def test_a_full_disk_during_an_import_loses_nothing_and_shows_no_lead(
        tmp_path: Path, profile: Path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(LEAD_FILE)
    path = profile / DATABASE_NAME
    before = store_state(path)
    done = repdesk("import", str(source), "--data-dir", str(profile),
                   preexec=_file_size_limit(200_000))
    assert done.code == 2
    assert f"{path}" in done.err and "full" in done.err
    assert "Quillfeather" not in done.err + done.out and "Zinnia" not in done.err + done.out
    assert store_state(path) == before


def test_a_full_disk_during_demo_data_leaves_no_partial_profile(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    done = repdesk("demo-data", "--data-dir", str(folder), "--leads", "3000",
                   "--accounts", "500", preexec=_file_size_limit(400_000))
    assert done.code == 2 and "full" in done.err
    assert sorted(p.name for p in folder.iterdir()) in ([], [DATABASE_NAME])
    again = repdesk("demo-data", "--data-dir", str(folder), "--leads", "40", "--accounts", "10")
    assert again.code == 0, again.err
    assert store_state(folder / DATABASE_NAME).counts["leads"] == 40


def test_a_store_locked_by_another_program_is_called_locked(tmp_path: Path,
                                                            profile: Path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(LEAD_FILE[:2_000])
    path = profile / DATABASE_NAME
    before = store_state(path)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        done = repdesk("import", str(source), "--data-dir", str(profile))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.code == 2
    assert f"{path} is locked by another program" in done.err
    assert store_state(path) == before


def _sqlite_error(path: Path, statements: list[str], uri: str = "") -> sqlite3.Error:
    connection = sqlite3.connect(f"{path.as_uri()}{uri}", uri=True)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    except sqlite3.Error as error:
        return error
    finally:
        connection.close()
    raise AssertionError("SQLite did not refuse")


def test_disk_trouble_is_told_apart_by_kind(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    sqlite3.connect(path).close()
    full = _sqlite_error(path, ["PRAGMA max_page_count = 2", "CREATE TABLE t (x)",
                                "INSERT INTO t SELECT zeroblob(100000)"])
    read_only = _sqlite_error(path, ["CREATE TABLE u (x)"], "?mode=ro")
    kinds = {full: "full", read_only: "read-only",
             OSError(28, "No space left on device"): "full",
             OSError(30, "Read-only file system"): "read-only"}
    for error, kind in kinds.items():
        trouble = explain(error, path)
        assert trouble is not None and trouble.kind == kind, error
        assert str(path) in str(trouble)
    assert explain(ValueError("a bug"), path) is None


def test_kill_9_during_demo_data_leaves_a_profile_a_rerun_fills(tmp_path: Path) -> None:
    folder = tmp_path / "killed"
    run = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "demo-data", "--data-dir", str(folder),
         "--leads", "60000", "--accounts", "20000"], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = folder / f"{DATABASE_NAME}.partial-wal"
    deadline = time.monotonic() + COMMAND_SECONDS
    while time.monotonic() < deadline and run.poll() is None:
        if partial.exists() and partial.stat().st_size > 2_000_000:
            break
        time.sleep(0.05)
    assert run.poll() is None, "demo-data ended before it could be killed"
    run.kill()
    run.wait()
    store = open_store(folder)
    try:
        assert needs_demo_data(store.sessions)  # what was there before: an empty store
    finally:
        store.close()
    again = repdesk("demo-data", "--data-dir", str(folder), "--leads", "50", "--accounts", "20")
    assert again.code == 0, again.err
    assert store_state(folder / DATABASE_NAME).counts["leads"] == 50
    assert not any(p.name.startswith(f"{DATABASE_NAME}.partial") for p in folder.iterdir())


def test_a_new_store_is_marked_as_repdesks_and_another_mark_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    path = tmp_path / DATABASE_NAME
    with contextlib.closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        connection.execute("PRAGMA application_id = 1196444237")  # another program's mark
        connection.commit()
    before = store_state(path)
    with pytest.raises(StoreError, match="another program"):
        open_store(tmp_path)
    assert store_state(path) == before
