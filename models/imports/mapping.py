"""Which column of a file fills which lead field: a guess from the column names (synonyms in
resources/imports/columns.json, in several languages), and the rep's corrections."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from models.hygiene.standardise import fold
from resources import load_json

# One lead field (or None: not imported) per column of the file.
ColumnMapping = tuple[str | None, ...]

LEAD_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (first and last)",
    "company": "Company",
    "email": "E-mail",
    "phone": "Phone",
    "title": "Title",
    "industry": "Industry",
    "employees": "Employees",
    "city": "City",
    "state": "State",
    "postal_code": "Postal code",
    "country": "Country",
    "source": "Source",
    "campaign": "Campaign",
    "utm_campaign": "Campaign (utm_campaign)",
}
REQUIRED = ("last_name", "company")
_NOT_IMPORTED = {"", "-", "ignore", "skip", "none", "not imported"}


class MappingError(ValueError):
    """A correction names a column or a field that does not exist."""


@cache
def _synonyms() -> dict[str, str]:
    table: dict[str, object] = load_json("imports/columns.json")
    found: dict[str, str] = {}
    for field, names in table.items():
        if field.startswith("_") or not isinstance(names, list):
            continue
        for name in [field, LEAD_FIELDS[field], *names]:
            found.setdefault(fold(str(name)), field)
    return found


def guess_field(column: str) -> str | None:
    return _synonyms().get(fold(column))


def guess_mapping(header: Sequence[str]) -> ColumnMapping:
    """Each column's field from its name; a field already taken by an earlier column is not
    given twice."""
    taken: set[str] = set()
    mapping: list[str | None] = []
    for column in header:
        field = guess_field(column)
        if field in taken:
            field = None
        if field is not None:
            taken.add(field)
        mapping.append(field)
    return tuple(mapping)


def assign(mapping: ColumnMapping, column: int, field: str | None) -> ColumnMapping:
    """``field`` for ``column``; a column that had that field before gives it up."""
    changed = [None if field is not None and other == field else other for other in mapping]
    changed[column] = field
    return tuple(changed)


def _field_named(text: str) -> str | None:
    folded = fold(text)
    if folded in _NOT_IMPORTED:
        return None
    for field, label in LEAD_FIELDS.items():
        if folded in (fold(field), fold(label)):
            return field
    fields = ", ".join(LEAD_FIELDS)
    raise MappingError(f"{text!r} is not a lead field. Use one of: {fields}, or 'ignore'.")


def _column_named(header: Sequence[str], text: str) -> int:
    if text.strip().isdigit() and 1 <= int(text) <= len(header):
        return int(text) - 1
    for index, column in enumerate(header):
        if column.strip().casefold() == text.strip().casefold():
            return index
    for index, column in enumerate(header):
        if fold(column) == fold(text):
            return index
    names = ", ".join(repr(c) for c in header)
    raise MappingError(f"The file has no column {text!r}. Its columns are: {names}.")


def apply_corrections(header: Sequence[str], mapping: ColumnMapping,
                      corrections: Sequence[str]) -> ColumnMapping:
    """Apply "COLUMN=field" corrections (COLUMN by name or number from 1).

    Raises:
        MappingError: a correction is not COLUMN=field, or names an unknown column or field.
    """
    for correction in corrections:
        column, sign, field = correction.rpartition("=")
        if not sign or not column.strip():
            raise MappingError(f"{correction!r} is not COLUMN=field, e.g. \"Firma=company\".")
        mapping = assign(mapping, _column_named(header, column), _field_named(field))
    return mapping


def missing_fields(mapping: ColumnMapping) -> list[str]:
    """The required fields no column fills (a full-name column fills the last name)."""
    present = set(mapping)
    if "full_name" in present:
        present.add("last_name")
    return [field for field in REQUIRED if field not in present]


def missing_message(missing: Sequence[str]) -> str:
    labels = " and ".join(LEAD_FIELDS[field].lower() for field in missing)
    return (f"No column of the file holds the {labels}, and every lead needs "
            f"{'them' if len(missing) > 1 else 'it'}. The first row of the file must name "
            "the columns.")
