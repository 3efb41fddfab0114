"""The sandbox CRM's own database: every object's records as JSON, with Salesforce's ids,
SystemModstamp and a log of deletions and merges."""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

PREFIXES = {"Lead": "00Q", "Account": "001", "Contact": "003", "Opportunity": "006",
            "Task": "00T", "Event": "00U", "Campaign": "701", "User": "005",
            "EmailTemplate": "00X", "OpportunityLineItem": "00k", "Product2": "01t"}
# Salesforce merges these (up to three records at once); only they carry MasterRecordId.
MERGEABLE = ("Lead", "Contact", "Account")
# How far back the deleted-records endpoint answers.
DELETION_LOG_DAYS = 15
# The user the sandbox's sign-in stands for: who created and last changed every record.
ORG_USER = "005000000000000AAA"
REQUIRED = {"Lead": ("LastName", "Company"), "Contact": ("LastName",), "Account": ("Name",),
            "Opportunity": ("Name", "StageName", "CloseDate"), "Task": ("Subject",)}
SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY, object TEXT NOT NULL, ext_id TEXT, fields TEXT NOT NULL,
    created TEXT NOT NULL, modstamp TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
    deleted_at TEXT, master_id TEXT);
CREATE INDEX IF NOT EXISTS records_object_modstamp ON records (object, modstamp);
CREATE UNIQUE INDEX IF NOT EXISTS records_ext ON records (object, ext_id);
CREATE TABLE IF NOT EXISTS counter (n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS org (id TEXT NOT NULL);
"""


def stamp(moment: datetime) -> str:
    """Salesforce's datetime format: 2026-11-23T03:05:00.000+0000."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "+0000")


class RecordError(Exception):
    def __init__(self, status_code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.status_code, self.message, self.fields = status_code, message, fields or []

    def as_json(self) -> dict[str, Any]:
        return {"statusCode": self.status_code, "message": self.message, "fields": self.fields}


@dataclass
class Record:
    id: str
    object: str
    fields: dict[str, Any]
    created: str
    modstamp: str
    deleted: bool = False
    master_id: str | None = None

    def as_json(self, api: str, only: Iterable[str] | None = None) -> dict[str, Any]:
        values = {"Id": self.id, "SystemModstamp": self.modstamp, "CreatedDate": self.created,
                  "CreatedById": ORG_USER, "LastModifiedDate": self.modstamp,
                  "LastModifiedById": ORG_USER, "IsDeleted": self.deleted,
                  "MasterRecordId": self.master_id, **self.fields}
        if only is not None:
            values = {name: values.get(name) for name in only}
        return {"attributes": {"type": self.object,
                               "url": f"/services/data/{api}/sobjects/{self.object}/{self.id}"},
                **values}


def _new_org_id() -> str:
    letters = string.ascii_uppercase + string.digits
    return "00D" + "".join(secrets.choice(letters) for _ in range(12)) + "AAA"


class SandboxStore:
    """Thread-safe: one connection, one lock; the server's threads take turns."""

    def __init__(self, path: Path | None = None, external_id: str = "RepDesk_Id__c") -> None:
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._db.executescript(SCHEMA)
        if self._db.execute("SELECT count(*) FROM counter").fetchone()[0] == 0:
            self._db.execute("INSERT INTO counter VALUES (0)")
        if self._db.execute("SELECT count(*) FROM org").fetchone()[0] == 0:
            # Each sandbox is an org of its own, as each Salesforce org has its id: a
            # profile told to sync with another one knows it is another CRM.
            self._db.execute("INSERT INTO org VALUES (?)", (_new_org_id(),))
        #: The org's id (Organization, 00D…), kept with its records.
        self.org_id: str = self._db.execute("SELECT id FROM org").fetchone()[0]
        self._db.commit()
        self._lock = threading.RLock()
        self._last_stamp = datetime.min.replace(tzinfo=UTC)
        self.external_id = external_id
        # Where the CRM's clock stands against this computer's: tests move it to play days
        # passing ("16 days offline") without waiting for them.
        self.clock_offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    def _now(self) -> datetime:
        # Strictly increasing at millisecond precision, so two changes never share a stamp.
        now = self.now()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if now <= self._last_stamp:
            now = self._last_stamp + timedelta(milliseconds=1)
        self._last_stamp = now
        return now

    def _new_id(self, obj: str) -> str:
        return self._new_ids(obj, 1)[0]

    def _new_ids(self, obj: str, count: int) -> list[str]:
        start = self._db.execute("SELECT n FROM counter").fetchone()[0]
        self._db.execute("UPDATE counter SET n = ?", (start + count,))
        prefix = PREFIXES.get(obj, "a0" + str(len(obj) % 10))
        # 18 characters, as the API returns them; five of them the org's own, so two orgs
        # never hand out one id (a profile moved to another CRM must not mistake one record
        # for another).
        return [f"{prefix}{self.org_id[3:8]}{n:07d}AAA"
                for n in range(start + 1, start + count + 1)]

    @staticmethod
    def record(row: tuple[Any, ...]) -> Record:
        """A stored row (as ``rows`` gives them) as a record."""
        return Record(row[0], row[1], orjson.loads(row[2]), row[3], row[4], bool(row[5]), row[6])

    _COLUMNS = "id, object, fields, created, modstamp, deleted, master_id"

    def get(self, obj: str, record_id: str, include_deleted: bool = False) -> Record | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._COLUMNS} FROM records WHERE id = ? AND object = ?",
                (record_id, obj)).fetchone()
        if row is None:
            return None
        record = self.record(row)
        return record if include_deleted or not record.deleted else None

    def by_external_id(self, obj: str, value: str) -> Record | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._COLUMNS} FROM records WHERE object = ? AND ext_id = ? "
                "AND deleted = 0", (obj, value)).fetchone()
        return self.record(row) if row else None

    def rows(self, obj: str, include_deleted: bool = False,
             modified_from: datetime | None = None) -> list[tuple[Any, ...]]:
        """The object's records as stored, oldest change first: a snapshot that ``record``
        reads one at a time, so a query's later pages cost nothing until they are asked for."""
        since = "" if modified_from is None else stamp(modified_from)  # to the millisecond
        with self._lock:
            return self._db.execute(
                f"SELECT {self._COLUMNS} FROM records WHERE object = ? AND modstamp >= ?"
                + ("" if include_deleted else " AND deleted = 0") + " ORDER BY modstamp, id",
                (obj, since)).fetchall()

    def all(self, obj: str, include_deleted: bool = False) -> Iterator[Record]:
        return (self.record(r) for r in self.rows(obj, include_deleted))

    def _check(self, obj: str, fields: dict[str, Any], creating: bool) -> None:
        missing = [f for f in REQUIRED.get(obj, ()) if (creating or f in fields)
                   and fields.get(f) in (None, "")]
        if missing:
            raise RecordError("REQUIRED_FIELD_MISSING",
                              f"Required fields are missing: [{', '.join(missing)}]", missing)

    def create(self, obj: str, fields: dict[str, Any]) -> Record:
        fields = {k: v for k, v in fields.items() if k not in ("Id", "attributes")}
        self._check(obj, fields, creating=True)
        with self._lock:
            now = stamp(self._now())
            record = Record(self._new_id(obj), obj, fields, now, now)
            self._db.execute(
                "INSERT INTO records (id, object, ext_id, fields, created, modstamp) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (record.id, obj, fields.get(self.external_id), json.dumps(fields), now, now))
            self._db.commit()
        return record

    def update(self, obj: str, record_id: str, fields: dict[str, Any]) -> Record:
        fields = {k: v for k, v in fields.items() if k not in ("Id", "attributes")}
        with self._lock:
            record = self.get(obj, record_id, include_deleted=True)
            if record is None:
                raise RecordError("NOT_FOUND", "The requested resource does not exist")
            if record.deleted:
                raise RecordError("ENTITY_IS_DELETED", "entity is deleted")
            self._check(obj, fields, creating=False)
            record.fields.update(fields)
            record.modstamp = stamp(self._now())
            self._db.execute(
                "UPDATE records SET fields = ?, modstamp = ?, ext_id = ? WHERE id = ?",
                (json.dumps(record.fields), record.modstamp,
                 record.fields.get(self.external_id), record_id))
            self._db.commit()
        return record

    def upsert(self, obj: str, field: str, value: str, fields: dict[str, Any]
               ) -> tuple[Record, bool]:
        """(record, created): an existing record with that external id is updated."""
        if field != self.external_id:
            raise RecordError("INVALID_FIELD", f"{field} is not an external id field of {obj}")
        with self._lock:
            existing = self.by_external_id(obj, value)
            if existing is not None:
                return self.update(obj, existing.id, fields), False
            return self.create(obj, {**fields, field: value}), True

    def delete(self, obj: str | None, record_id: str, master_id: str | None = None) -> None:
        with self._lock:
            row = self._db.execute("SELECT object, deleted FROM records WHERE id = ?",
                                   (record_id,)).fetchone()
            if row is None or (obj is not None and row[0] != obj):
                raise RecordError("NOT_FOUND", "The requested resource does not exist")
            if row[1]:
                raise RecordError("ENTITY_IS_DELETED", "entity is deleted")
            now = stamp(self._now())
            self._db.execute(
                "UPDATE records SET deleted = 1, deleted_at = ?, modstamp = ?, master_id = ?, "
                "ext_id = NULL WHERE id = ?", (now, now, master_id, record_id))
            self._db.commit()

    def object_of(self, record_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT object FROM records WHERE id = ?",
                                   (record_id,)).fetchone()
        return row[0] if row else None

    def deleted_between(self, obj: str, start: str, end: str) -> list[tuple[str, str]]:
        """(id, deletedDate) of the records deleted in [start, end], stamps as stored.

        Raises:
            RecordError: INVALID_REPLICATION_DATE when ``start`` is older than the log keeps.
        """
        earliest = stamp(self.now() - timedelta(days=DELETION_LOG_DAYS))
        if start < earliest:
            raise RecordError("INVALID_REPLICATION_DATE",
                              f"startDate is before the earliest date available ({earliest}); "
                              "resynchronise the object's ids")
        with self._lock:
            return self._db.execute(
                "SELECT id, deleted_at FROM records WHERE object = ? AND deleted = 1 "
                "AND deleted_at >= ? AND deleted_at <= ? ORDER BY deleted_at",
                (obj, start, end)).fetchall()

    def merge(self, obj: str, master_id: str, loser_ids: list[str],
              values: dict[str, Any] | None = None) -> Record:
        """Salesforce's merge: the master takes ``values``; records pointing at a loser point
        at the master; the losers are deleted, logged as such, with their MasterRecordId.

        Raises:
            RecordError: as Salesforce does for a wrong type, too many records, or a record
                that is missing, deleted or the master itself.
        """
        if obj not in MERGEABLE:
            raise RecordError("INVALID_TYPE", f"{obj} records cannot be merged")
        if not 1 <= len(loser_ids) <= 2 or master_id in loser_ids:
            raise RecordError("INVALID_OPERATION",
                              "merge takes a master and one or two other records")
        with self._lock:
            for record_id in (master_id, *loser_ids):
                if self.get(obj, record_id) is None:
                    raise RecordError("ENTITY_IS_DELETED" if self.get(
                        obj, record_id, include_deleted=True) else "NOT_FOUND",
                        f"{record_id}: no such {obj} to merge")
            master = self.update(obj, master_id, values or {})
            for loser_id in loser_ids:
                self._reparent(loser_id, master_id)
                now = stamp(self._now())
                self._db.execute(
                    "UPDATE records SET deleted = 1, deleted_at = ?, modstamp = ?, "
                    "master_id = ?, ext_id = NULL WHERE id = ?",
                    (now, now, master_id, loser_id))
            self._db.commit()
        return master

    def _reparent(self, loser_id: str, master_id: str) -> None:
        """Every live record with a field holding the loser's id now holds the master's."""
        rows = self._db.execute(
            "SELECT id, fields FROM records WHERE deleted = 0 AND fields LIKE ?",
            (f'%"{loser_id}"%',)).fetchall()
        for record_id, raw in rows:
            fields = orjson.loads(raw)
            moved = {k: master_id for k, v in fields.items() if v == loser_id}
            if moved:
                fields.update(moved)
                self._db.execute("UPDATE records SET fields = ?, modstamp = ? WHERE id = ?",
                                 (json.dumps(fields), stamp(self._now()), record_id))

    def commit(self) -> None:
        with self._lock:
            self._db.commit()

    def close(self) -> None:
        self._db.close()


def bulk_load(store: SandboxStore, obj: str, records: list[dict[str, Any]],
              age: timedelta = timedelta(0), commit: bool = True) -> list[tuple[str, datetime]]:
    """Seed many records in one transaction (demo data, benchmarks), last modified ``age``
    ago; returns each record's (id, SystemModstamp), in order. With ``commit`` false the
    transaction stays open for more, until ``store.commit()``."""
    made: list[tuple[str, datetime]] = []
    with store._lock:
        ids = store._new_ids(obj, len(records))
        rows = []
        for record_id, fields in zip(ids, records, strict=True):
            moment = store._now() - age
            now = stamp(moment)
            rows.append((record_id, obj, fields.get(store.external_id),
                         orjson.dumps(fields).decode(), now, now))
            made.append((record_id, moment))
        store._db.executemany(
            "INSERT INTO records (id, object, ext_id, fields, created, modstamp) "
            "VALUES (?, ?, ?, ?, ?, ?)", rows)
        if commit:
            store._db.commit()
    return made
