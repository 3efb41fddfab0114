"""The outcomes and snoozes Ctrl+Z can take back, newest last, for this session.

The list is only touched by writes, which the command runner runs one at a time in order, so
an undo always takes back the write logged just before it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from models.changes import LEAD_WORKED, Changed, Changes, Kind
from models.touches import TouchLogged
from models.undo import Undoable, before_touch, take_back

KEEP = 20


class LastActions:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._done: list[Undoable] = []

    def _remember(self, undoable: Undoable) -> None:
        self._done = [*self._done, undoable][-KEEP:]

    def touch(self, log: Callable[[str, str, str | None, str | None, datetime | None],
                                  TouchLogged]
              ) -> Callable[[str, str, str | None, str | None, datetime | None],
                            Changed[TouchLogged]]:
        """``log`` as a command that Ctrl+Z can take back."""

        def command(lead_id: str, kind: str, outcome: str | None, note: str | None,
                    follow_up_at: datetime | None) -> Changed[TouchLogged]:
            before = before_touch(self._sessions, lead_id)
            logged = log(lead_id, kind, outcome, note, follow_up_at)
            what = f"the {outcome} call" if kind == "call" and outcome else f"the {kind}"
            self._remember(Undoable(f"{what} to {before.name}", before, logged.activity_id))
            return Changed(logged, Changes.of(*LEAD_WORKED, records=[lead_id]))

        return command

    def snooze(self, snooze: Callable[[str, datetime], datetime | None]
               ) -> Callable[[str, datetime], Changed[datetime | None]]:
        def command(lead_id: str, until: datetime) -> Changed[datetime | None]:
            before = before_touch(self._sessions, lead_id)
            due = snooze(lead_id, until)
            self._remember(Undoable(f"the snooze of {before.name}", before))
            return Changed(due, Changes.of(Kind.LEAD, Kind.CADENCE, records=[lead_id]))

        return command

    def undo(self) -> Changed[str | None]:
        """Take back the newest; None when there is nothing left to take back."""
        if not self._done:
            return Changed(None)
        undoable = self._done[-1]
        what = take_back(self._sessions, undoable)
        self._done = self._done[:-1]
        return Changed(what, Changes.of(*LEAD_WORKED, records=[undoable.before.lead_id]))
