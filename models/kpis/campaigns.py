"""Campaign attribution (seeds 000, 001): per campaign, the leads it brought in a period and how
far they went: responses → MQL → SQL → opportunity → won → revenue; and its CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from datetime import datetime

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.orm import Session, sessionmaker

from models.store import Campaign, Lead, Opportunity, StageChange
from models.vocab import FunnelStage


@dataclass(frozen=True)
class CampaignResult:
    campaign: str
    responses: int
    mqls: int
    sqls: int
    opportunities: int
    won: int
    revenue: float


def campaign_results(sessions: sessionmaker[Session], start: datetime | None = None,
                     end: datetime | None = None) -> list[CampaignResult]:
    """The cohort of each campaign's leads created in [start, end), and what became of them
    (ever); largest revenue first, then most responses."""
    cohort: list[ColumnElement[bool]] = [Lead.campaign_id.is_not(None)]
    if start is not None:
        cohort.append(Lead.created_at >= start)
    if end is not None:
        cohort.append(Lead.created_at < end)
    with sessions() as session:
        names = dict(session.execute(select(Campaign.id, Campaign.name)).tuples().all())
        responses = dict(session.execute(
            select(Lead.campaign_id, func.count()).where(*cohort)
            .group_by(Lead.campaign_id)).tuples().all())

        def reached(stage: str) -> dict[str | None, int]:
            return dict(session.execute(
                select(Lead.campaign_id, func.count(distinct(StageChange.lead_id)))
                .join(StageChange, StageChange.lead_id == Lead.id)
                .where(*cohort, StageChange.to_stage == stage)
                .group_by(Lead.campaign_id)).tuples().all())

        mqls, sqls = reached(FunnelStage.MQL), reached(FunnelStage.SQL)
        deals = session.execute(
            select(Lead.campaign_id, func.count(Opportunity.id),
                   func.count(Opportunity.id).filter(Opportunity.is_won.is_(True)),
                   func.coalesce(func.sum(Opportunity.amount).filter(
                       Opportunity.is_won.is_(True)), 0.0))
            .join(Opportunity, Opportunity.lead_id == Lead.id)
            .where(*cohort).group_by(Lead.campaign_id)).all()
    by_deals = {c: (int(n), int(w), float(r)) for c, n, w, r in deals}
    results = [CampaignResult(names.get(c, c or ""), n, mqls.get(c, 0), sqls.get(c, 0),
                              *by_deals.get(c, (0, 0, 0.0)))
               for c, n in responses.items() if c is not None]
    return sorted(results, key=lambda r: (-r.revenue, -r.responses, r.campaign))


SORT_COLUMNS = tuple(f.name for f in fields(CampaignResult))


def sort_campaigns(results: Sequence[CampaignResult], column: str,
                   reverse: bool = False) -> list[CampaignResult]:
    """The table ordered by ``column``: names A to Z, figures largest first (``reverse``
    turns either round); ties by name.

    Raises:
        ValueError: ``column`` is not one of the table's columns.
    """
    if column not in SORT_COLUMNS:
        raise ValueError(f"The campaign table has no column {column!r}: sort by one of "
                         f"{', '.join(SORT_COLUMNS)}.")
    by_name = sorted(results, key=lambda r: r.campaign.casefold())
    if column == "campaign":
        return by_name[::-1] if reverse else by_name
    return sorted(by_name, key=lambda r: getattr(r, column), reverse=not reverse)


def campaigns_csv(results: Sequence[CampaignResult]) -> str:
    """The table as CSV; a name a spreadsheet would run as a formula is quoted as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields(CampaignResult)])
    for result in results:
        row = list(astuple(result))
        if str(row[0]).startswith(("=", "+", "-", "@")):
            row[0] = "'" + str(row[0])
        writer.writerow(row)
    return out.getvalue()
