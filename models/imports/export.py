"""Leads out to a CSV file a spreadsheet opens as is: UTF-8 with a byte-order mark (so Excel
reads accents right), comma-separated, one header row whose names an import maps back, and
no cell that a spreadsheet would run as a formula (models.imports.formulas)."""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker

from models.imports.formulas import neutralise
from models.leads import LeadDirectory
from models.store import Lead, User

BATCH = 1000
_owner = aliased(User)
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("First name", Lead.first_name), ("Last name", Lead.last_name), ("Company", Lead.company),
    ("E-mail", Lead.email), ("Phone", Lead.phone), ("Title", Lead.title),
    ("Industry", Lead.industry), ("Employees", Lead.employees), ("City", Lead.city),
    ("State", Lead.state), ("Postal code", Lead.postal_code), ("Country", Lead.country),
    ("Source", Lead.source), ("Stage", Lead.stage), ("Persona", Lead.persona),
    ("Owner", _owner.name), ("Created", Lead.created_at),
)


@dataclass(frozen=True)
class ExportReport:
    path: Path
    count: int

    def summary(self) -> str:
        return f"Exported {self.count:,} lead{'' if self.count == 1 else 's'} to {self.path.name}."


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return neutralise(str(value))


def _rows(session: Session, ids: Sequence[str]) -> Iterator[list[str]]:
    query = select(Lead.id, *(column for _, column in COLUMNS)).outerjoin(
        _owner, _owner.id == Lead.owner_id)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        found = {row[0]: row[1:] for row in session.execute(query.where(Lead.id.in_(chunk)))}
        for lead_id in chunk:
            if lead_id in found:
                yield [_cell(value) for value in found[lead_id]]


def export_leads(sessions: sessionmaker[Session], path: Path, search: str = "") -> ExportReport:
    """Write the leads the leads screen shows for ``search`` (all when empty), newest first.

    The file appears complete or not at all: it is written next to ``path`` and then moved
    into place.

    Raises:
        OSError: the folder cannot be written (full disk, no permission).
    """
    ids = LeadDirectory(sessions).search(search)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    count = 0
    try:
        with temporary.open("x", encoding="utf-8-sig", newline="") as out, \
                sessions() as session:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow([name for name, _ in COLUMNS])
            for row in _rows(session, ids):
                writer.writerow(row)
                count += 1
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return ExportReport(path, count)
