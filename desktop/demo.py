"""Demo mode: a first run with no CRM gets a realistic team's data to work with, and a
sandbox CRM running inside the app that holds the same records under the same ids, so the
whole loop (an edit sent, a change pulled, a conflict settled) works with no account
anywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from models.crm.sandbox.server import Sandbox, SandboxServer
from models.crm.sandbox.store import RecordError
from models.demo.crm_copy import copy_to_crm, needs_copy
from models.demo.load import build_demo_store, needs_demo_data
from models.lead_edits import EDITABLE, EDITABLE_LABELS
from models.store import Lead, Setting, User
from models.store.open import Store
from models.sync.fieldmap import field_map
from models.sync.status import remember_crm
from models.vocab import Role

FIRST_RUN_LEADS = 5_000
FIRST_RUN_ACCOUNTS = 2_500
FIRST_RUN_SEED = 2026
DEMO_SETTING = "demo_mode"
SANDBOX_FILE = "demo-crm.db"


def _now() -> datetime:
    return datetime.now(UTC)


def prepare_demo(store: Store) -> bool:
    """Fill a first-run store with demo data, and its demo CRM with the same records; True if
    it did. The store is closed then (the demo store replaces its file whole): open the
    profile again."""
    if not needs_demo_data(store.sessions):
        return False
    store.close()
    make_demo(store.path, FIRST_RUN_LEADS, FIRST_RUN_ACCOUNTS, FIRST_RUN_SEED, past=True)
    return True


def make_demo(path: Path, leads: int, accounts: int, seed: int,
              with_crm: bool = True, past: bool = False,
              timings: dict[str, float] | None = None) -> dict[str, int]:
    """A demo store at ``path`` (which holds no data; rows written per table), with eight
    weeks of the team's work when ``past``, and, ``with_crm``, the same records in the
    profile's demo CRM, a new one. All or nothing: the store is built beside ``path`` and
    renamed into place once complete. ``timings`` gets each phase's seconds."""
    settings = {DEMO_SETTING: True}
    if not with_crm:
        return build_demo_store(path, leads, accounts, seed, settings=settings, past=past,
                                timings=timings)
    crm_path = path.parent / SANDBOX_FILE
    for stale in (crm_path, crm_path.with_name(crm_path.name + "-journal")):
        stale.unlink(missing_ok=True)  # a CRM left from an earlier demo holds other records
    sandbox = Sandbox(crm_path)
    try:
        # Copied once the past is made, so the CRM holds what that past left (its
        # qualifications, conversions and deals) and the first sync has nothing to move.
        return build_demo_store(path, leads, accounts, seed, settings=settings, past=past,
                                finish=lambda engine: copy_to_crm(engine, sandbox.store, _now),
                                timings=timings)
    finally:
        sandbox.store.close()


def mark_demo(store: Store) -> None:
    with store.sessions.begin() as session:
        session.merge(Setting(key=DEMO_SETTING, value=True))


def in_demo_mode(store: Store) -> bool:
    with store.sessions() as session:
        setting = session.get(Setting, DEMO_SETTING)
        return bool(setting and setting.value)


def demo_crm_file(store: Store) -> Path:
    return store.path.parent / SANDBOX_FILE


def fill_demo_crm(store: Store, now: Callable[[], datetime] = _now) -> dict[str, int]:
    """Copy the profile's records into its demo CRM when that CRM is still empty (a first
    run, or a demo profile made before the CRM held them). Returns records copied per
    object."""
    sandbox = Sandbox(demo_crm_file(store))
    try:
        if not needs_copy(store.engine, sandbox.store):
            return {}
        return copy_to_crm(store.engine, sandbox.store, now)
    finally:
        sandbox.store.close()


def start_demo_crm(store: Store, folder: Path | None = None) -> SandboxServer:
    """The profile's own sandbox CRM, kept in a file beside the store across sessions."""
    fill_demo_crm(store)
    server = SandboxServer(Sandbox((folder or store.path.parent) / SANDBOX_FILE)).start()
    remember_crm(store.sessions, server.base_url)
    return server


class DemoCrm:
    """The running demo CRM, where the rep can play another user of the team: a change made
    here is a change made in the CRM, which the next sync brings in (or finds in conflict)."""

    def __init__(self, store: Store, server: SandboxServer, other_user: str) -> None:
        self._store, self.server, self.other_user = store, server, other_user
        spec = field_map().by_table("leads")
        assert spec is not None
        self._fields = {local: spec.fields[local] for local in EDITABLE}

    def _crm_id(self, lead_id: str) -> str:
        with self._store.sessions() as session:
            lead = session.get(Lead, lead_id)
            crm_id = lead.crm_id if lead else None
        if crm_id is None:
            raise ValueError("This lead is not in the CRM yet: sync first, then change it "
                             "there.")
        return crm_id

    def crm_values(self, lead_id: str) -> dict[str, str]:
        record = self.server.sandbox.store.get("Lead", self._crm_id(lead_id))
        if record is None:
            raise ValueError("This lead was deleted in the CRM.")
        return {local: str(record.fields.get(crm) or "") for local, crm in self._fields.items()}

    def change_in_crm(self, lead_id: str, typed: dict[str, str]) -> str:
        current = self.crm_values(lead_id)
        changed = {local: value for local, value in typed.items()
                   if local in self._fields and value != current.get(local)}
        if not changed:
            return "Nothing was changed in the CRM."
        try:
            self.server.sandbox.store.update("Lead", self._crm_id(lead_id), {
                self._fields[local]: value or None for local, value in changed.items()})
        except RecordError as error:
            raise ValueError(error.message) from error
        names = ", ".join(EDITABLE_LABELS[local].lower() for local in changed)
        return f"{self.other_user} changed the lead's {names} in the CRM: sync to bring it here."


def other_user(store: Store, rep_id: str | None) -> str:
    """Someone of the demo team other than the rep, to make changes as."""
    others = select(User.name).where(User.id != (rep_id or "")).order_by(User.name).limit(1)
    with store.sessions() as session:
        # The team's manager, who in real teams is the one tidying records up.
        name = session.scalar(others.where(User.role == Role.MANAGER.value)) \
            or session.scalar(others)
    return name or "another user"
