"""Account matching as a run of small commands.

Working the matches out takes 1-3 s per thousand leads on a big profile; that part runs off
the UI thread and off the write lock (in a process of its own for a big profile,
``desktop.matching_process``). Each batch it works out is then written by the command
runner as a command of its own, in order with the rep's: an outcome key pressed meanwhile
waits for one short batch at most, never for the whole match. The next batch is queued only
once the one before is written, so there is never more than one in the queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from desktop.commands import CommandRunner
from desktop.matching_process import MatchingStopped, planned
from models.changes import NOTHING, Changes, Kind
from models.hygiene.account_links import MatchRefresh, MatchTally, finish_matches, write_matches
from models.store.open import Store

WHAT = "Match leads to their accounts"


def match_through(commands: CommandRunner, store: Store, now: datetime) -> MatchRefresh:
    """Match the leads of ``store`` that need it, writing through ``commands``. Blocks the
    calling (background) thread until the last batch is written; the last command announces
    the change-set.

    Raises:
        MatchingStopped: the window closed, or the matching process died, before the end.
    """
    with planned(store, now) as plan:
        tally = MatchTally(plan.threshold)
        for rows in plan.batches:
            _in_turn(commands, partial(write_matches, store.sessions, rows))
            tally.add(rows)

        def finish() -> Changes:
            finish_matches(store.sessions, plan.signature)
            # The screens showing leads and accounts decide for themselves, once, at the end.
            return Changes.of(Kind.ACCOUNT, Kind.LEAD) if tally.rows else NOTHING

        _in_turn(commands, finish)
    return tally.done()


def _in_turn(commands: CommandRunner, write: Callable[[], Any]) -> None:
    """Queue ``write`` on the runner, behind whatever the rep asked for before it, and wait
    until it has run. Raises its error here: the match stops, the rest waits for next time."""
    ran = threading.Event()
    failed: list[Exception] = []

    def command() -> Any:
        try:
            return write()
        except Exception as error:
            failed.append(error)
            raise
        finally:
            ran.set()

    # The runner logs a bug and shows it once; a locked store or a full disk only stops the
    # match (raised below), the leads it did not reach are matched next time.
    commands.run(WHAT, command, on_error=lambda _error: None)
    while not ran.wait(0.5):
        if commands.stopped:
            raise MatchingStopped("the window closed before the match was written")
    if failed:
        raise failed[0]
