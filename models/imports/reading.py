"""Opening a CSV file a rep picked: its encoding, delimiter, header and rows, within limits
that keep a wrong file (an Excel workbook, a million-row dump) from freezing the desk.

Encodings, in order: a byte-order mark (UTF-8 or UTF-16) decides; UTF-16 without a mark is
recognised by its zero bytes; otherwise the file is read as strict UTF-8 and, when that fails,
as Windows-1252 (what Excel on Windows writes as "CSV"), and the table says which was used. A
file holding both (valid UTF-8 sequences and bytes that are not UTF-8) is refused: either
reading would garble some names. Only regular files are read, whole, within the size limit.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

MAX_ROWS = 100_000
# Generous for 100,000 rows of lead data (about 300 bytes each), small enough to refuse a
# database dump at once.
MAX_BYTES = 64 * 1024 * 1024
SAMPLE_BYTES = 64 * 1024
SAMPLE_CHARS = SAMPLE_BYTES
# A lead file has a few dozen columns; thousands mean a wrong file (or a transposed one).
MAX_COLUMNS = 1_000
# A well-formed UTF-8 sequence of two to four bytes (no overlongs, no surrogates).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}"
    rb"|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_SNIFF_RECORDS = 50
_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zipped file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF document",
}
_SAVE_AS_CSV = "In Excel, choose File › Save As › CSV UTF-8 and import that file."


class FileRefused(ValueError):
    """The file cannot be imported at all; the message says why and what to do."""


@dataclass(frozen=True)
class Encoding:
    codec: str
    label: str


UTF8 = Encoding("utf-8", "UTF-8")
CP1252 = Encoding("cp1252", "Windows-1252 (the file is not UTF-8)")


@dataclass(frozen=True)
class CsvRow:
    # The row number a spreadsheet shows for this record: the header is row 1.
    number: int
    cells: tuple[str, ...]
    # The lines of the file (first, last) that a quote opened in this row and never closed
    # read into it; those rows are lost to it.
    swallowed: tuple[int, int] | None = None


@dataclass(frozen=True)
class CsvTable:
    name: str
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    rows: tuple[CsvRow, ...]

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS.get(self.delimiter, repr(self.delimiter))

    def describe(self) -> str:
        return (f"{self.name}: {self.encoding}, {self.delimiter_name}-separated, "
                f"{len(self.rows):,} rows")


def _refuse_binary(head: bytes, name: str) -> None:
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise FileRefused(f"{name} is {what}, not a CSV file. {_SAVE_AS_CSV}")


def _utf16_without_bom(head: bytes) -> Encoding | None:
    even, odd = head[0:4096:2], head[1:4096:2]
    if len(odd) < 8:
        return None
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return Encoding("utf-16-le", "UTF-16 LE (no byte-order mark)")
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return Encoding("utf-16-be", "UTF-16 BE (no byte-order mark)")
    return None


def _decodes(head: bytes, encoding: Encoding) -> bool:
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors="strict")
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(head: bytes, name: str) -> Encoding:
    """The encoding to read the file with, judged from its first bytes.

    Raises:
        FileRefused: the bytes are not text (a workbook, a PDF, an image...).
    """
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8-sig", "UTF-8 with BOM")
    if head.startswith(codecs.BOM_UTF16_LE):
        return Encoding("utf-16", "UTF-16 LE with BOM")
    if head.startswith(codecs.BOM_UTF16_BE):
        return Encoding("utf-16", "UTF-16 BE with BOM")
    _refuse_binary(head, name)
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return utf16
    if b"\x00" in head:
        raise FileRefused(f"{name} is not a text file. {_SAVE_AS_CSV}")
    return UTF8 if _decodes(head, UTF8) else CP1252


def _refuse_control_characters(sample: str, name: str) -> None:
    control = sum(1 for char in sample if unicodedata.category(char) == "Cc"
                  and char not in "\t\r\n\f")
    if control > 0.01 * len(sample):
        raise FileRefused(f"{name} is not a text file. {_SAVE_AS_CSV}")


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the sample into the most columns, the same number on every
    line; a comma when nothing splits it."""
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        try:
            records = [r for r in islice(csv.reader(io.StringIO(sample), delimiter=delimiter),
                                         _SNIFF_RECORDS) if r]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(len(r) == width for r in records) / len(records)
        score = (round(consistent, 1), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _header(cells: list[str]) -> tuple[str, ...]:
    # Linear in the number of columns: names seen and the next copy number are looked up,
    # never searched for (a 40,000-column header took 45 s that way).
    names: list[str] = []
    seen: set[str] = set()
    copies: dict[str, int] = {}
    for number, cell in enumerate(cells, start=1):
        name = cell.replace("\ufeff", "").strip() or f"Column {number}"
        unique, key = name, name.casefold()
        while unique.casefold() in seen:
            copies[key] = copies.get(key, 1) + 1
            unique = f"{name} ({copies[key]})"
        seen.add(unique.casefold())
        names.append(unique)
    return tuple(names)


def _swallowed(cells: list[str], lines: tuple[int, int], delimiter: str,
               width: int) -> tuple[int, int] | None:
    """The file lines an unclosed quote read into this record, if it looks like that: a
    quoted value that runs over lines holding as many delimiters as a whole row."""
    first, last = lines
    if last <= first:
        return None
    needed = max(width - 1, 1)
    for cell in cells:
        if "\n" in cell and any(line.count(delimiter) >= needed
                                for line in cell.split("\n")[1:]):
            return first + 1, last
    return None


def _rows(reader: Any, name: str, max_rows: int, number: int, width: int,
          delimiter: str) -> list[CsvRow]:
    """The records after the header (record ``number``), each with its record number."""
    rows: list[CsvRow] = []
    start = reader.line_num
    for cells in reader:
        number += 1
        lines = (start + 1, reader.line_num)
        start = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == max_rows:
            raise FileRefused(
                f"{name} has more than {max_rows:,} rows. Split it into files of at most "
                f"{max_rows:,} rows and import them one after the other.")
        rows.append(CsvRow(number, tuple(cells), _swallowed(cells, lines, delimiter, width)))
    return rows


def _sample(text: str) -> str:
    sample = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS:
        sample = sample[: max(sample.rfind("\n"), 0)]  # the last line is probably cut
    return sample


def _read(name: str, lines: Iterable[str], sample: str,
          max_rows: int) -> tuple[str, tuple[str, ...], list[CsvRow]]:
    _refuse_control_characters(sample, name)
    delimiter = detect_delimiter(sample)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        first, number = None, 0
        for cells in reader:
            number += 1
            if any(c.strip() for c in cells):
                first = cells
                break
        if first is None:
            raise FileRefused(f"{name} is empty: it has no header row and no rows.")
        if len(first) > MAX_COLUMNS:
            raise FileRefused(
                f"{name} has {len(first):,} columns; RepDesk reads files of up to "
                f"{MAX_COLUMNS:,} columns. Keep the columns with lead data and import that.")
        rows = _rows(reader, name, max_rows, number, len(first), delimiter)
    except csv.Error as error:
        raise FileRefused(
            f"{name} could not be read near line {reader.line_num} ({error}). "
            "Check that it is a CSV export and that every quote is closed.") from None
    if not rows:
        raise FileRefused(f"{name} has a header row but no rows to import.")
    return delimiter, _header(first), rows


def _raw(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; only a regular file is read. A pipe or a device is refused before
    any read (reading one could wait for ever), and so is a file over ``max_bytes``."""
    name = path.name
    try:
        # Non-blocking: opening a pipe with no writer waits otherwise.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise FileRefused(f"{name} could not be opened: {error.strerror or error}.") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a file on disk (a " \
                "pipe, a device or a socket)"
            raise FileRefused(f"{name} is {what}. Choose a CSV file saved on disk.")
        if info.st_size == 0:
            raise FileRefused(f"{name} is empty.")
        if info.st_size > max_bytes:
            raise FileRefused(_too_big(name, info.st_size, max_bytes))
        with os.fdopen(os.dup(descriptor), "rb") as raw:
            data = raw.read(max_bytes + 1)
    except OSError as error:
        raise FileRefused(f"{name} could not be read: {error.strerror or error}.") from None
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:  # it grew while being read
        raise FileRefused(_too_big(name, len(data), max_bytes))
    return data


def _too_big(name: str, size: int, max_bytes: int) -> str:
    return (f"{name} is {size / 1_048_576:,.0f} MB; RepDesk imports files of up to "
            f"{max_bytes / 1_048_576:,.0f} MB. Split it into smaller files.")


def _line_of(data: bytes | str, index: int) -> int:
    newline: Any = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, index) + 1


def _decode(data: bytes, encoding: Encoding, name: str) -> tuple[str, Encoding]:
    unreadable = FileRefused(f"{name} is not a text file RepDesk can read. {_SAVE_AS_CSV}")
    if encoding not in (UTF8, CP1252):
        try:
            return data.decode(encoding.codec), encoding
        except UnicodeDecodeError:
            raise unreadable from None
    try:
        return data.decode("utf-8"), UTF8
    except UnicodeDecodeError as error:
        bad = error.start
    utf8 = _UTF8_MULTIBYTE.search(data)
    if utf8 is not None:
        # Part UTF-8, part 8-bit (rows pasted from two exports): either reading garbles
        # some names ("JÃ¼rgen"), so neither is guessed.
        raise FileRefused(
            f"{name} mixes two encodings: line {_line_of(data, bad)} is not UTF-8, while "
            f"line {_line_of(data, utf8.start())} is. Open it in a spreadsheet, check those "
            f"names, and save it again as one encoding. {_SAVE_AS_CSV}")
    try:
        return data.decode(CP1252.codec), CP1252
    except UnicodeDecodeError:
        raise unreadable from None


def read_table(path: Path, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> CsvTable:
    """Read a CSV file of at most ``max_rows`` data rows and ``max_bytes`` bytes.

    Raises:
        FileRefused: the file cannot be opened, is not a regular file, is not CSV text (NUL
            characters, mixed encodings), is over a limit, or has a quote that is never
            closed at its end; nothing is kept from it.
    """
    data = _raw(path, max_bytes)
    encoding = detect_encoding(data[:SAMPLE_BYTES], path.name)
    text, encoding = _decode(data, encoding, path.name)
    nul = text.find("\x00")
    if nul >= 0:
        raise FileRefused(f"{path.name} holds a NUL character on line {_line_of(text, nul)}: "
                          f"it is not a plain text file. {_SAVE_AS_CSV}")
    sample = _sample(text)
    del text  # read again below as a stream: a second copy of a 64 MB file is not kept
    lines = io.TextIOWrapper(io.BytesIO(data), encoding=encoding.codec, newline="")
    delimiter, header, rows = _read(path.name, lines, sample, max_rows)
    return CsvTable(path.name, encoding.label, delimiter, header, tuple(rows))
