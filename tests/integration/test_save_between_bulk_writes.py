"""A rep's save gets in between two writes of a process that writes one transaction after
another (the sync process during a first pull), instead of waiting for the whole run: the bulk
writer leaves the lock free a moment after each write, and a waiting save asks for it often
enough to take it then."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from models.drafts import load_draft
from models.store import Draft
from models.store.open import Store
from tests.conftest import FIXED_NOW

WRITES = 8
# Another process, as the sync process is: each write holds the lock 0.3 s (as a batch of a
# first pull on 100,000 leads did), one after another.
BULK_WRITER = """
import sys, time
from pathlib import Path
from sqlalchemy import text
from models.store.engine import give_way
from models.store.open import open_store_file
store = open_store_file(Path(sys.argv[1]))
give_way(store.sessions)
for number in range(1, int(sys.argv[2]) + 1):
    with store.sessions.begin() as session:
        session.execute(text("INSERT INTO bulk_writes (number) VALUES (:n)"), {"n": number})
        if number == 1:
            print("writing", flush=True)
        time.sleep(0.3)
store.close()
"""


def test_a_save_gets_in_between_two_writes_of_a_bulk_writer(store: Store) -> None:
    with store.sessions.begin() as session:
        session.execute(text("CREATE TABLE bulk_writes (number INTEGER)"))
    writer = subprocess.Popen(
        [sys.executable, "-c", BULK_WRITER, str(store.path), str(WRITES)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        # Asked while the first write holds the lock: the rep's save (a draft kept as the
        # form keeps it), and how many writes it came after.
        with store.sessions.begin() as session:
            written_before = session.scalar(text("SELECT count(*) FROM bulk_writes"))
            session.merge(Draft(form="qualification", record_id="lead-1",
                                data={"next_step": "Call Tuesday"}, updated_at=FIXED_NOW))
    finally:
        assert writer.wait(timeout=60) == 0
    # It went in after one of the first writes, not behind all of them.
    assert 1 <= written_before < WRITES // 2
    assert load_draft(store.sessions, "qualification", "lead-1") == {"next_step": "Call Tuesday"}
    with store.sessions() as session:
        assert session.scalar(text("SELECT count(*) FROM bulk_writes")) == WRITES
