"""The dashboard's services: the KPI sheet of a period in the team's timezone, for a rep or the
team, and the records behind a number."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from models.changes import NOTHING, Changed, Changes, Kind
from models.kpis.activity import call_records
from models.kpis.behind import Behind
from models.kpis.digest_mail import send_due_digests
from models.kpis.digest_now import DigestNow, digest_now_state, queue_digest_now
from models.kpis.leads import aged_records
from models.kpis.periods import period_of, team_timezone
from models.kpis.sheet import REP_ROLES, Sheet, add_details, compute_figures, compute_sheet
from models.records import RepProfile
from models.reps import current_rep, team_members
from models.store.open import Store
from models.vocab import Role
from views.dashboard_view import DashboardServices
from views.digest_button import DigestServices


def dashboard_services(store: Store, clock: Callable[[], datetime],
                       rep: RepProfile | None,
                       sync_now: Callable[[], str] | None = None) -> DashboardServices:
    def sheet(kind: str, rep_id: str | None) -> Sheet:
        now = clock()
        period = period_of(kind, now, team_timezone(store.sessions))
        return compute_sheet(store.sessions, period, now, rep_id)

    def figures(kind: str, rep_id: str | None) -> Sheet:
        now = clock()
        period = period_of(kind, now, team_timezone(store.sessions))
        return compute_figures(store.sessions, period, now, rep_id)

    def details(first: Sheet) -> Sheet:
        return add_details(store.sessions, first, clock())

    def behind(figure: str, kind: str, rep_id: str | None) -> list[Behind]:
        now = clock()
        owners = None if rep_id is None else [rep_id]
        if figure == "aged_leads":
            return aged_records(store.sessions, now, owners)
        period = period_of(kind, now, team_timezone(store.sessions))
        return call_records(store.sessions, period, owners)

    def people() -> list[RepProfile]:
        return [p for role in REP_ROLES for p in team_members(store.sessions, role)]

    return DashboardServices(people=people, sheet=sheet, behind=behind, signed_in=rep,
                             figures=figures, details=details,
                             send_digest=digest_services(store, clock, rep, sync_now))


def digest_services(store: Store, clock: Callable[[], datetime], rep: RepProfile | None,
                    sync_now: Callable[[], str] | None) -> DigestServices | None:
    """A manager's "send this week's digest now": written through the command runner, then
    sent by a sync, the one path every CRM mail takes (exactly once per manager and week)."""
    if rep is None or rep.role != Role.MANAGER or sync_now is None:
        return None
    manager_id, sync = rep.id, sync_now

    def queue() -> Changed[DigestNow]:
        state = queue_digest_now(store.sessions, manager_id, clock())
        return Changed(state, Changes.of(Kind.TOUCH, Kind.OUTBOX) if state.queued_now
                       else NOTHING)

    def deliver() -> DigestNow:
        """Sync, so the CRM sends what is waiting; raises what stopped the sync."""
        sync()
        state = digest_now_state(store.sessions, manager_id, clock())
        assert state is not None  # queued before this runs
        return state

    return DigestServices(queue=queue, deliver=deliver)


def queue_due_digests(store: Store, clock: Callable[[], datetime]) -> Changes:
    """On a manager's workstation, last week's digest mail for them, once (see
    models.kpis.digest_mail); the next sync has the CRM send it."""
    rep = current_rep(store.sessions)
    if rep is None or rep.role != Role.MANAGER:
        return NOTHING
    queued = send_due_digests(store.sessions, clock(), manager_ids=[rep.id])
    return Changes.of(Kind.TOUCH, Kind.OUTBOX) if any(q.queued for q in queued) else NOTHING
