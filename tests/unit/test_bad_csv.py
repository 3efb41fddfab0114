"""Hostile CSV files: pipes and devices, huge headers, unclosed quotes, mixed encodings, NUL
characters anywhere, and any bytes at all. Each ends in a message, in time, and leaves the
store as it was."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.imports.leads_import import check_rows
from models.imports.mapping import guess_mapping
from models.imports.reading import MAX_COLUMNS, SAMPLE_BYTES, FileRefused, read_table
from tests.unit.hostile import COMMAND_SECONDS, repdesk, store_state

GOOD_ROWS = "First name,Last name,Company\nAna,Diaz,Acme\nBo,Lee,Beta\n"


def _refusal(path: Path) -> str:
    """``read_table``'s message, from a thread: a read that blocks fails the test."""
    found: list[BaseException | None] = []

    def read() -> None:
        try:
            read_table(path)
        except BaseException as error:  # handed to the test below
            found.append(error)
        else:
            found.append(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(COMMAND_SECONDS)
    assert found, f"reading {path} did not end"
    assert isinstance(found[0], FileRefused), found[0]
    return str(found[0])


@pytest.fixture
def profile(tmp_path: Path, demo_folder: Path) -> Path:
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / "repdesk.db").write_bytes((demo_folder / "repdesk.db").read_bytes())
    return folder


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "leads.csv"
    os.mkfifo(pipe)
    assert "is not a file on disk (a pipe, a device or a socket)" in _refusal(pipe)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_refused_before_reading(tmp_path: Path) -> None:
    assert "is not a file on disk" in _refusal(Path("/dev/zero"))


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "leads.csv"
    folder.mkdir()
    assert "leads.csv is a folder" in _refusal(folder)


@pytest.mark.parametrize("columns", [40_000, 1_000_000])
def test_a_header_of_many_thousand_columns_is_refused_with_its_width(
        tmp_path: Path, columns: int) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{n}" for n in range(columns)) + "\n"
                    + ",".join("x" for _ in range(columns)) + "\n")
    assert f"has {columns:,} columns; RepDesk reads files of up to {MAX_COLUMNS:,}" \
        in _refusal(path)


def test_a_header_of_repeated_names_gets_unique_names_in_order(tmp_path: Path) -> None:
    path = tmp_path / "repeated.csv"
    names = ["Last name", "Company"] + ["Note"] * (MAX_COLUMNS - 3) + ["note (2)"]
    path.write_text(",".join(names) + "\n" + ",".join(["Doe", "Acme"] + [""] * 998) + "\n")
    header = read_table(path).header
    assert len(set(n.casefold() for n in header)) == MAX_COLUMNS
    assert header[2:5] == ("Note", "Note (2)", "Note (3)")


def test_an_unclosed_quote_mid_file_names_the_lines_it_took_in(
        tmp_path: Path, profile: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('First name,Last name,Company\nAna,Diaz,"Acme\nBo,Lee,Beta\n'
                    'Cy,Ng,"Gamma"\nDu,Po,Delta\n')
    before = store_state(profile / "repdesk.db")
    done = repdesk("import", str(path), "--data-dir", str(profile), "--dry-run")
    assert done.code == 2
    assert "Row 2: a quote opened in this row is not closed, so lines 3 to 4 of the file " \
           "were read into it" in done.out
    assert store_state(profile / "repdesk.db") == before


def test_with_take_good_rows_the_swallowed_rows_are_still_named(
        tmp_path: Path, profile: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('First name,Last name,Company\nZoe,Quill,Quartz\nAna,Diaz,"Acme\n'
                    'Bo,Lee,Beta\nCy,Ng,Gamma\n')
    before = store_state(profile / "repdesk.db")
    done = repdesk("import", str(path), "--data-dir", str(profile), "--take-good-rows")
    assert done.code == 0
    assert "Row 3: a quote opened in this row is not closed, so lines 4 to 5" in done.out
    assert "Imported 1 lead. Not imported: 1 row with problems (row 3)" in done.out
    after = store_state(profile / "repdesk.db")
    assert after.counts["leads"] == before.counts["leads"] + 1
    assert after.integrity == "ok"


def test_an_unclosed_quote_at_the_end_blames_the_quote_not_a_length(tmp_path: Path) -> None:
    path = tmp_path / "end-quote.csv"
    path.write_text('First name,Last name,Company\nAna,Diaz,Acme\nBo,"Lee the,Beta\n'
                    "Cy,Ng,Gamma\n")
    table = read_table(path)
    _, problems = check_rows(table, guess_mapping(table.header))
    assert [p.row for p in problems] == [3]
    assert "quote opened in this row is not closed, so line 4" in problems[0].message
    assert "characters long" not in problems[0].message


def test_a_file_mixing_utf8_and_latin1_is_refused_with_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("Last name,Company\nJürgen,Nordlicht\n".encode()
                     + "Müller,Hafenblick\n".encode("latin-1"))
    message = _refusal(path)
    assert "mixes two encodings: line 3 is not UTF-8, while line 2 is" in message


def test_a_latin1_file_alone_is_still_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Last name,Company\nMüller,Hafenblick\n".encode("latin-1"))
    assert read_table(path).rows[0].cells[0] == "Müller"


@pytest.mark.parametrize("where", [10, SAMPLE_BYTES + 5_000])
def test_a_nul_anywhere_is_refused_with_its_line(tmp_path: Path, where: int) -> None:
    body = GOOD_ROWS + "".join(f"Name{n},Last{n},Company{n}\n" for n in range(8_000))
    data = bytearray(body.encode())
    data[where] = 0
    path = tmp_path / "nul.csv"
    path.write_bytes(bytes(data))
    line = bytes(data[:where]).count(b"\n") + 1
    message = _refusal(path)
    assert "not a" in message and ("text file" in message)
    if where > SAMPLE_BYTES:
        assert f"NUL character on line {line}" in message


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2_000) | st.text(max_size=600).map(str.encode)
       | st.lists(st.sampled_from(['"', ",", ";", "\n", "\r", "a", "é", "\x00", "\ufeff",
                                   "Last name", "Company", "1e30"]),
                  max_size=80).map(lambda parts: "".join(parts).encode()))
def test_any_bytes_are_read_or_refused_with_a_message(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "any.csv"
    path.write_bytes(data)
    try:
        table = read_table(path)
    except FileRefused as refused:
        assert str(refused).startswith("any.csv")
        return
    good, problems = check_rows(table, guess_mapping(table.header))
    assert len(good) + len({p.row for p in problems}) <= len(table.rows)
