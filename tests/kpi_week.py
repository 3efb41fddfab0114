"""A hand-counted KPI week, built through the services a rep uses (tests/unit/test_kpis.py
describes it line by line)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from models.close_draft import CloseDraft
from models.closing import close_opportunity
from models.deals import DealEdit, edit_deal
from models.handoffs import accept, opportunity_criteria
from models.imports.creating import write_leads
from models.imports.fields import PersonEntry
from models.kpis.periods import parse_week
from models.opportunities import create_opportunity
from models.qualification import QualificationDraft, frameworks, save_qualification
from models.store import User
from models.store.open import Store
from models.touches import log_touch

TZ = "Europe/London"
WEEK = parse_week("2026-W48", TZ)
THURSDAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _qualify(store: Store, lead: str, category: str, reason: str, ae: str | None,
             by: str, when: datetime) -> None:
    draft = QualificationDraft(
        category=category, reason_code=reason, framework="BANT",
        answers={c: f"{c} answered" for c in frameworks()["BANT"]},
        next_step="Demo on Friday", handoff_to_id=ae, follow_up_on=None)
    save_qualification(store.sessions, lead, draft, by, when)


def build_week(store: Store) -> dict[str, Any]:
    with store.sessions.begin() as session:
        amelia = User(name="Amelia Hughes", email="amelia@example.com", role="SDR-inbound",
                      timezone=TZ)
        ben = User(name="Ben Carter", email="ben@example.com", role="SDR-outbound",
                   timezone=TZ)
        hugo = User(name="Hugo Martin", email="hugo@example.com", role="AE", timezone=TZ)
        session.add_all([amelia, ben, hugo])
        session.flush()
        ids = {"amelia": amelia.id, "ben": ben.id, "hugo": hugo.id}

    def new(owner: str, when: datetime, n: int) -> list[str]:
        entries = [PersonEntry(first_name="P", last_name=f"Lead {k}", company=f"Co {k}",
                               phone="+442071234567") for k in range(n)]
        return write_leads(store.sessions, entries, ids[owner], "Web", when, channel="typed")

    october = new("amelia", at(5, 9, 10), 2)
    for lead in october:
        _qualify(store, lead, "A", "A-BUDGET-APPROVED", ids["hugo"], ids["amelia"],
                 at(6, 10, 10))
    l1, l2, l3, l4 = new("amelia", at(23, 9), 4)
    [l5] = new("ben", at(23, 9), 1)
    log_touch(store.sessions, l1, ids["amelia"], "call", at(23, 10), "connected")
    log_touch(store.sessions, l2, ids["amelia"], "call", at(24, 12), "no answer")
    log_touch(store.sessions, l3, ids["amelia"], "email", at(23, 13))
    for hour in (10, 11, 12):
        log_touch(store.sessions, l5, ids["ben"], "call", at(23, hour), "voicemail")
    _qualify(store, l1, "A", "A-BUDGET-APPROVED", ids["hugo"], ids["amelia"], at(25, 10))
    _qualify(store, l3, "D", "D-NO-FIT", None, ids["amelia"], at(25, 11))
    confirmed = tuple(key for key, _label in opportunity_criteria())
    won_lead_deal = accept(store.sessions, l1, ids["hugo"], at(25, 12), confirmed)
    edit_deal(store.sessions, won_lead_deal, DealEdit(40_000, date(2026, 12, 31), ""),
              ids["hugo"], at(25, 12))
    own = create_opportunity(store.sessions, "Acme renewal", None, ids["hugo"],
                             date(2026, 12, 15), at(25, 14))
    edit_deal(store.sessions, own, DealEdit(60_000, date(2026, 12, 15), ""), ids["hugo"],
              at(25, 14))
    close_opportunity(store.sessions, won_lead_deal,
                      CloseDraft(outcome="lost", reason_code="LOSS-PRICE",
                                 competitor="Northwind CRM"), ids["hugo"], at(26, 10))
    return ids | {"l1": l1, "l2": l2, "l4": l4, "l5": l5, "o1": october[0]}
