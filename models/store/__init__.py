"""The local store: SQLAlchemy tables, engine set-up, migrations and edit tracking.

Importing this package registers every table and the outbox hook, so any ORM session on a
RepDesk store records its edits for the sync.
"""

from models.store import tracking as _tracking  # noqa: F401  (registers the outbox hook)
from models.store.base import Base, Synced, new_id
from models.store.closing import CloseHandoff, ReferenceCustomer, ReferenceUse
from models.store.config import (
    BlockRun,
    Cadence,
    CadenceStep,
    DayBlock,
    Persona,
    ReasonCode,
    Setting,
)
from models.store.conflicts import SyncConflict
from models.store.funnel import (
    Draft,
    LeadMerge,
    OpportunityChange,
    Qualification,
    StageChange,
)
from models.store.hygiene import LeadAccountMatch
from models.store.kpi_rollups import ActivityHour, MqlEntry, StageEntry
from models.store.mail import EmailSend
from models.store.meetings import Meeting
from models.store.outbox import OutboxEntry, SyncState
from models.store.people import Account, Contact, Lead, User
from models.store.sales import (
    Activity,
    Campaign,
    EmailTemplate,
    Opportunity,
    OpportunityLineItem,
    Product,
)

__all__ = [
    "Account",
    "Activity",
    "ActivityHour",
    "Base",
    "BlockRun",
    "Cadence",
    "CadenceStep",
    "Campaign",
    "CloseHandoff",
    "Contact",
    "DayBlock",
    "Draft",
    "EmailSend",
    "EmailTemplate",
    "Lead",
    "LeadAccountMatch",
    "LeadMerge",
    "Meeting",
    "MqlEntry",
    "Opportunity",
    "OpportunityChange",
    "OpportunityLineItem",
    "OutboxEntry",
    "Persona",
    "Product",
    "Qualification",
    "ReasonCode",
    "ReferenceCustomer",
    "ReferenceUse",
    "Setting",
    "StageChange",
    "StageEntry",
    "SyncConflict",
    "SyncState",
    "Synced",
    "User",
    "new_id",
]
