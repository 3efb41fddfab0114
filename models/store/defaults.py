"""Fill an empty store's configuration (reason codes, personas, cadences, day blocks)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.store.config import Cadence, CadenceStep, DayBlock, Persona, ReasonCode
from resources import load_json


def install_defaults(session: Session) -> None:
    """Add the shipped defaults to every configuration table that is still empty."""
    if not session.scalar(select(func.count()).select_from(ReasonCode)):
        session.add_all(ReasonCode(**row) for row in load_json("reason_codes.json"))
    if not session.scalar(select(func.count()).select_from(Persona)):
        session.add_all(Persona(**row) for row in load_json("personas.json"))
    if not session.scalar(select(func.count()).select_from(Cadence)):
        for cadence in load_json("cadences.json"):
            steps = cadence.pop("steps")
            session.add(Cadence(**cadence))
            session.add_all(CadenceStep(cadence_key=cadence["key"], **step) for step in steps)
    if not session.scalar(select(func.count()).select_from(DayBlock)):
        session.add_all(DayBlock(**row) for row in load_json("day_blocks.json"))
