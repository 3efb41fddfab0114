"""The pull's watermarks belong to the CRM they were read from. A profile told to sync with
another one (a demo profile connected to the team's org, an org replaced by another) would
otherwise ask the new CRM only for what changed after the old one's watermarks, and never see
its older records. So the profile keeps the org its watermarks came from; with any other org,
they are forgotten and the next pull reads everything. That pull matches records to local
rows by CRM id or by RepDesk's external id, as every pull does, so a record already here is
updated, never added twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.store import Setting, SyncState

SYNCED_ORG_SETTING = "synced_org"


def follow_crm(sessions: sessionmaker[Session], org: str | None) -> bool:
    """Before a sync with ``org``: True when it is another CRM than the watermarks' and they
    were forgotten. An unknown org (None) changes nothing."""
    if org is None:
        return False
    with sessions.begin() as session:
        known = session.get(Setting, SYNCED_ORG_SETTING)
        if known is not None and known.value == org:
            return False
        session.merge(Setting(key=SYNCED_ORG_SETTING, value=org))
        if known is None:
            # A profile synced before its org was kept: its watermarks are taken to be
            # this CRM's (as they were used until now) rather than read again in full.
            return False
        for state in session.scalars(select(SyncState)):
            # Nothing was pulled from this CRM yet: no deletion check either until the full
            # pull (a check against another CRM's ids would take every record here for one
            # deleted there).
            state.watermark = state.last_pull_at = None
            state.deletions_through = state.reconciled_at = None
    return True
