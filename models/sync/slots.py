"""No double booking: before a new meeting's Event is created in the CRM, the AE's calendar
there is asked for an Event at that time (booked meanwhile by another rep, offline like this
one, or by the AE). If one is there, nothing is sent: the booking becomes a conflict the rep
settles on the Sync screen, and its invitation stays unsent (its Task, too, goes to the CRM
only after its Event).

Settling it: "theirs" withdraws the booking here (the meeting and its unsent invitation go);
"mine" books it anyway (the rep agreed it with the AE), and the next sync sends it without
asking again. An edited value is refused: a new time is a new booking, from a free slot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.crm.datetimes import parse_datetime
from models.store import Activity, Lead, Meeting, OutboxEntry, SyncConflict, User
from models.store.mail import TO_SEND, WAITING, EmailSend
from models.store.tracking import FROM_CRM
from models.sync.changes import Change
from models.sync.fieldmap import ObjectMap
from models.touches import refresh_cadence
from models.vocab import ActivityKind

if TYPE_CHECKING:
    from models.sync.push import Pusher

SLOT_TAKEN = "(time taken in the CRM)"
# The error left on the outbox entries of such a booking: they wait for the rep's choice.
TAKEN_MESSAGE = "the AE already has an Event then in the CRM: settle it on the Sync screen"

Ready = tuple[Any, dict[str, Any], dict[str, Any]]  # (Change, CRM record, local values)


def _literal(value: Any) -> str:
    return parse_datetime(str(value)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _at_that_time(pusher: Pusher, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The Events of the record's owner at its time in the CRM (no-shows left out)."""
    owner, start, end = (record.get("OwnerId"), record.get("StartDateTime"),
                         record.get("EndDateTime"))
    if not (owner and start and end):
        return []
    external = pusher.map.external_id
    soql = (f"SELECT Id, Subject, StartDateTime, EndDateTime, CreatedDate, {external} "
            f"FROM Event WHERE OwnerId = '{str(owner).replace(chr(39), '')}' "
            f"AND StartDateTime < {_literal(end)} AND EndDateTime > {_literal(start)}")
    return [other for page in pusher.adapter.query(soql) for other in page
            if other.get("Meeting_State__c") != "no-show"]


def _overlapping(pusher: Pusher, record: dict[str, Any]) -> dict[str, Any] | None:
    """Another Event of the same owner at that time in the CRM (not this booking's own)."""
    mine = record.get(pusher.map.external_id)
    return next((other for other in _at_that_time(pusher, record)
                 if other.get(pusher.map.external_id) != mine), None)


def _decided(session: Session, record_ids: set[str]) -> tuple[set[str], set[str]]:
    """(booked anyway by the rep, still waiting for the rep's choice)."""
    rows = session.execute(select(SyncConflict.record_id, SyncConflict.resolution,
                                  SyncConflict.resolved_at).where(
        SyncConflict.record_id.in_(record_ids), SyncConflict.field == SLOT_TAKEN)).tuples()
    anyway, waiting = set(), set()
    for record_id, resolution, resolved_at in rows:
        if resolved_at is None:
            waiting.add(record_id)
        elif resolution == "mine":
            anyway.add(record_id)
    return anyway, waiting


def _told(subject: str, start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """A meeting as the rep compares two: what, and when in the AE's time."""
    return f"{subject}, {start.astimezone(zone):%a %d %b %H:%M}–{end.astimezone(zone):%H:%M %Z}"


def free_slots_only(pusher: Pusher, spec: ObjectMap, fresh: list[Ready]) -> list[Ready]:
    """The new Events whose time is free in the CRM; the others become conflicts."""
    if spec.object != "Event" or not fresh:
        return fresh
    with pusher.sessions() as session:
        anyway, waiting = _decided(session, {change.record_id for change, _r, _v in fresh})
    free = []
    for item in fresh:
        change, record, _values = item
        if change.record_id in waiting:  # edited again before the rep chose: still waits
            pusher._finish(change, "failed", error=TAKEN_MESSAGE)
            continue
        other = None if change.record_id in anyway else _overlapping(pusher, record)
        if other is None:
            free.append(item)
            continue
        pusher.report.conflicts += 1
        _record_conflict(pusher, change.record_id, other)
        pusher._finish(change, "failed", error=TAKEN_MESSAGE)
    _mark_unchecked(pusher, {change.record_id for change, _r, _v in free} - anyway)
    return free


def _created(record: dict[str, Any]) -> datetime | None:
    try:
        return parse_datetime(str(record.get("CreatedDate")))
    except (TypeError, ValueError):
        return None


def _mark_unchecked(pusher: Pusher, ids: set[str]) -> None:
    """Before their creates go: these bookings are to be asked about again once in, by this
    sync or, if it stops first (a lost answer, a crash), by the next one."""
    if not ids:
        return
    with pusher.sessions.begin() as session:
        session.info[FROM_CRM] = True
        session.execute(update(Meeting).where(Meeting.id.in_(ids))
                        .values(slot_unchecked=True))


def _checked(pusher: Pusher, meeting_id: str) -> None:
    with pusher.sessions.begin() as session:
        session.info[FROM_CRM] = True
        session.execute(update(Meeting).where(Meeting.id == meeting_id)
                        .values(slot_unchecked=False))


def withdraw_second_bookings(pusher: Pusher, spec: ObjectMap, sent: list[Ready]) -> None:
    """Two desks pushing one slot at the same moment both find it free before either Event
    exists. So once a new Event is in, the AE's calendar is asked again: if another Event
    there was created before it (or at the same time), this booking is the second. It is
    taken out of the CRM again and becomes the conflict a slot found taken makes, its
    invitation unsent. The first booking, which cannot have seen this one when it asked,
    keeps the slot; two created at the same instant may both step back (the reps decide),
    but never both stay."""
    if spec.object != "Event" or not sent:
        return
    ids = {change.record_id for change, _r, _v in sent}
    with pusher.sessions() as session:
        anyway, _waiting = _decided(session, ids)
        linked = {meeting: crm_id for meeting, crm_id in session.execute(
            select(Meeting.id, Meeting.crm_id).where(
                Meeting.id.in_(ids - anyway), Meeting.crm_id.is_not(None))).tuples()
            if crm_id}
    for change, record, _values in sent:
        crm_id = linked.get(change.record_id)
        if crm_id is not None and _stepped_back(pusher, change.record_id, crm_id, record,
                                                change.seqs):
            pusher.report.sent -= 1


def recheck_left(pusher: Pusher) -> None:
    """Events this desk created whose sync stopped before asking the calendar again (the
    create's answer was lost and the sync gave up, or it crashed): asked now, as
    ``withdraw_second_bookings`` would have, with the times the CRM holds."""
    with pusher.sessions() as session:
        left = {meeting: crm_id for meeting, crm_id in session.execute(
            select(Meeting.id, Meeting.crm_id).where(
                Meeting.slot_unchecked.is_(True), Meeting.crm_id.is_not(None))).tuples()
            if crm_id}
        if not left:
            return
        anyway, _waiting = _decided(session, set(left))
        seqs: dict[str, list[int]] = {}
        for seq, record_id in session.execute(select(OutboxEntry.seq, OutboxEntry.record_id)
                                              .where(OutboxEntry.record_id.in_(left),
                                                     OutboxEntry.object == "Event",
                                                     OutboxEntry.state == "done")).tuples():
            seqs.setdefault(record_id, []).append(seq)
    ids = ", ".join(f"'{crm_id.replace(chr(39), '')}'" for crm_id in left.values())
    held = {str(record.get("Id"))[:15]: record for page in pusher.adapter.query(
        f"SELECT Id, OwnerId, StartDateTime, EndDateTime FROM Event WHERE Id IN ({ids})")
        for record in page}
    for meeting_id, crm_id in left.items():
        record = held.get(crm_id[:15])
        if meeting_id in anyway or record is None:  # booked anyway, or gone from the CRM
            _checked(pusher, meeting_id)
            continue
        record = {**record, pusher.map.external_id: meeting_id}
        _stepped_back(pusher, meeting_id, crm_id, record, seqs.get(meeting_id, []))


def _stepped_back(pusher: Pusher, meeting_id: str, crm_id: str, record: dict[str, Any],
                  seqs: list[int]) -> bool:
    """Ask the calendar again about this booking, now in the CRM as ``crm_id``; True when
    it came second and was taken out again."""
    there = _at_that_time(pusher, record)
    ours = next((o for o in there if str(o.get("Id"))[:15] == crm_id[:15]), None)
    made = _created(ours) if ours is not None else None
    first = next((o for o in there if o is not ours and made is not None and
                  (created := _created(o)) is not None and created <= made), None)
    if first is None:
        _checked(pusher, meeting_id)
        return False
    [result] = pusher.adapter.delete([crm_id])
    pusher.report.conflicts += 1
    if not result.success and not any(e.get("statusCode") in ("ENTITY_IS_DELETED",
                                                              "NOT_FOUND")
                                      for e in result.errors):
        # It stays booked twice: the rep decides (keep it, or take theirs and it is
        # deleted in the CRM with the next sync); its invitation waits meanwhile.
        said = "; ".join(str(e.get("message") or e.get("statusCode")) for e in result.errors)
        _record_conflict(pusher, meeting_id, first, base=(
            f"booked twice in the CRM: it would not take this one out ({said or 'no reason'})"))
        _checked(pusher, meeting_id)
        return False
    _record_conflict(pusher, meeting_id, first)
    _unbook(pusher, meeting_id, seqs)
    return True


def _unbook(pusher: Pusher, meeting_id: str, seqs: list[int]) -> None:
    """The booking, taken out of the CRM, waits for the rep's choice like one found taken
    before it was sent (its create's outcome is known: no look-up before it goes again)."""
    with pusher.sessions.begin() as session:
        session.info[FROM_CRM] = True
        meeting = session.get(Meeting, meeting_id)
        if meeting is not None:
            meeting.crm_id, meeting.slot_unchecked = None, False
        for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.seq.in_(seqs))):
            entry.state, entry.error, entry.sent = "failed", TAKEN_MESSAGE, None


def _record_conflict(pusher: Pusher, meeting_id: str, other: dict[str, Any],
                     base: str = "free here when booked") -> None:
    with pusher.sessions.begin() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            return
        ae = session.get(User, meeting.owner_id) if meeting.owner_id else None
        zone = ZoneInfo(ae.timezone if ae else "UTC")
        subject = str(other.get("Subject") or "an Event")
        try:
            theirs = _told(subject, parse_datetime(str(other.get("StartDateTime"))),
                           parse_datetime(str(other.get("EndDateTime"))), zone)
        except (TypeError, ValueError):  # an answer the CRM got wrong: still not booked
            theirs = f"{subject}, at a time the CRM did not say clearly"
        session.add(SyncConflict(
            table="meetings", record_id=meeting_id, field=SLOT_TAKEN,
            base=base,
            mine=_told(meeting.subject, meeting.starts_at, meeting.ends_at, zone),
            theirs=theirs,
            found_at=pusher.now()))


def _disputed() -> Select[tuple[str]]:
    """Meetings booked twice in the CRM whose rep has not said yet which stays."""
    return select(SyncConflict.record_id).where(SyncConflict.field == SLOT_TAKEN,
                                                SyncConflict.resolved_at.is_(None))


def held_invitations(sessions: sessionmaker[Session], creates: list[Change]) -> set[str]:
    """The invitation Tasks among ``creates`` whose meeting is not in the CRM yet, or not
    asked about again since, or disputed: they go after it is settled, so a booking that
    turns out to be taken leaves no invitation in the CRM."""
    ids = {change.record_id for change in creates}
    if not ids:
        return set()
    with sessions() as session:
        return {invitation for invitation in session.scalars(
            select(Meeting.invitation_id).where(
                Meeting.invitation_id.in_(ids),
                Meeting.crm_id.is_(None) | Meeting.slot_unchecked.is_(True)
                | Meeting.id.in_(_disputed()))) if invitation}


def release_invitations(sessions: sessionmaker[Session]) -> None:
    """Invitations whose meeting is now in the CRM: due, for this run's mail delivery."""
    with sessions.begin() as session:
        session.execute(update(EmailSend).where(
            EmailSend.state == WAITING,
            EmailSend.activity_id.in_(select(Meeting.invitation_id).where(
                Meeting.crm_id.is_not(None), Meeting.invitation_id.is_not(None),
                Meeting.slot_unchecked.is_(False),
                Meeting.id.not_in(_disputed())))
        ).values(state=TO_SEND))


def settle(sessions: sessionmaker[Session], conflict: SyncConflict, choice: str,
           now: datetime) -> None:
    """The rep's choice on a slot taken in the CRM (see the module's text).

    Raises:
        ValueError: an edited time (book another free slot instead).
    """
    if choice == "edited":
        raise ValueError("A new time is a new booking: take theirs, then book a free slot "
                         "with B on the queue.")
    with sessions.begin() as session:
        found = session.get(SyncConflict, conflict.id)
        if found is None or found.resolved_at is not None:
            raise ValueError("This conflict is already settled.")
        found.resolved_at, found.resolution = now, choice
        entries = list(session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id == found.record_id, OutboxEntry.state == "failed",
            OutboxEntry.error == TAKEN_MESSAGE)))
        if choice == "mine":
            for entry in entries:
                entry.state, entry.error = "pending", None
            return
        for entry in entries:
            entry.state = "done"  # withdrawn: never to be sent
        meeting = session.get(Meeting, found.record_id)
        if meeting is None:
            return
        invitation = session.get(Activity, meeting.invitation_id) \
            if meeting.invitation_id else None
        send = session.get(EmailSend, meeting.invitation_id) if meeting.invitation_id else None
        if send is not None and send.state == WAITING:
            session.delete(send)
            if invitation is not None:
                session.delete(invitation)  # its Task leaves the CRM too, if it got there
        _withdraw(session, meeting)


def _withdraw(session: Session, meeting: Meeting) -> None:
    """The meeting goes, with the activity that logged it; the lead's cadence is worked out
    again (the connected call, if there was one, still ends it)."""
    for logged in session.scalars(select(Activity).where(
            Activity.lead_id == meeting.lead_id, Activity.kind == ActivityKind.MEETING.value,
            Activity.subject == meeting.subject, Activity.occurred_at == meeting.created_at)):
        session.delete(logged)
    lead = session.get(Lead, meeting.lead_id) if meeting.lead_id else None
    session.delete(meeting)
    if lead is not None:
        session.flush()
        refresh_cadence(session, lead)
