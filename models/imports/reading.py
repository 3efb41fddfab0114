"""Opening a CSV file a rep picked: its encoding, delimiter, header and rows, within limits
that keep a wrong file (an Excel workbook, a million-row dump) from freezing the desk.

Encodings, in order: a byte-order mark (UTF-8 or UTF-16) decides; UTF-16 without a mark is
recognised by its zero bytes; otherwise the file is read as strict UTF-8 and, when that fails,
as Windows-1252 (what Excel on Windows writes as "CSV"), and the table says which was used.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

MAX_ROWS = 100_000
# Generous for 100,000 rows of lead data (about 300 bytes each), small enough to refuse a
# database dump at once.
MAX_BYTES = 64 * 1024 * 1024
SAMPLE_BYTES = 64 * 1024
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


def _complete_records(head: bytes, encoding: Encoding, whole: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors="replace")
    text = decoder.decode(head, final=whole)
    if not whole:
        # The sample stops mid-file: drop the last, probably cut, line.
        text = text[: max(text.rfind("\n"), 0)]
    return text


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
    names: list[str] = []
    for number, cell in enumerate(cells, start=1):
        name = cell.replace("\ufeff", "").strip() or f"Column {number}"
        unique, copy = name, 2
        while unique.casefold() in (n.casefold() for n in names):
            unique, copy = f"{name} ({copy})", copy + 1
        names.append(unique)
    return tuple(names)


def _rows(records: Iterable[tuple[int, list[str]]], name: str,
          max_rows: int) -> list[CsvRow]:
    rows: list[CsvRow] = []
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == max_rows:
            raise FileRefused(
                f"{name} has more than {max_rows:,} rows. Split it into files of at most "
                f"{max_rows:,} rows and import them one after the other.")
        rows.append(CsvRow(number, tuple(cells)))
    return rows


def _read(path: Path, encoding: Encoding, sample: str, max_rows: int) -> CsvTable:
    _refuse_control_characters(sample, path.name)
    delimiter = detect_delimiter(sample)
    with path.open(encoding=encoding.codec, errors="strict", newline="") as text:
        records = csv.reader(text, delimiter=delimiter)
        numbered = enumerate(records, start=1)
        try:
            first = next((cells for _, cells in numbered if any(c.strip() for c in cells)),
                         None)
            if first is None:
                raise FileRefused(f"{path.name} is empty: it has no header row and no rows.")
            rows = _rows(numbered, path.name, max_rows)
        except csv.Error as error:
            raise FileRefused(
                f"{path.name} could not be read near line {records.line_num} ({error}). "
                "Check that it is a CSV export and that every quote is closed.") from None
    if not rows:
        raise FileRefused(f"{path.name} has a header row but no rows to import.")
    return CsvTable(path.name, encoding.label, delimiter, _header(first), tuple(rows))


def read_table(path: Path, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> CsvTable:
    """Read a CSV file of at most ``max_rows`` data rows and ``max_bytes`` bytes.

    Raises:
        FileRefused: the file cannot be opened, is not CSV text, or is over a limit; nothing
            is kept from it.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as raw:
            head = raw.read(SAMPLE_BYTES)
    except OSError as error:
        raise FileRefused(f"{path.name} could not be opened: {error.strerror or error}.") \
            from None
    if size == 0:
        raise FileRefused(f"{path.name} is empty.")
    if size > max_bytes:
        raise FileRefused(
            f"{path.name} is {size / 1_048_576:,.0f} MB; RepDesk imports files of up to "
            f"{max_bytes / 1_048_576:,.0f} MB. Split it into smaller files.")
    encoding = detect_encoding(head, path.name)
    whole = size <= len(head)
    try:
        return _read(path, encoding, _complete_records(head, encoding, whole), max_rows)
    except UnicodeDecodeError:
        if encoding != UTF8:
            raise FileRefused(f"{path.name} is not a text file RepDesk can read. "
                              f"{_SAVE_AS_CSV}") from None
    # Valid UTF-8 at the start but not further down: an 8-bit file after all.
    try:
        return _read(path, CP1252, _complete_records(head, CP1252, whole), max_rows)
    except UnicodeDecodeError:
        raise FileRefused(f"{path.name} is not a text file RepDesk can read. "
                          f"{_SAVE_AS_CSV}") from None
