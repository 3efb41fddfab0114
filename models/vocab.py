"""The sales vocabulary RepDesk stores: roles, funnel stages, categories, kinds of things.

Plain string enums, so they read well in SQL, JSON and the CRM's picklists alike.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SDR_INBOUND = "SDR-inbound"
    SDR_OUTBOUND = "SDR-outbound"
    AE = "AE"
    AM = "AM"
    CSM = "CSM"
    MANAGER = "manager"


class FunnelStage(StrEnum):
    MCL = "MCL"
    MQL = "MQL"
    SAL = "SAL"
    SQL = "SQL"
    NURTURE = "nurture"
    CONVERTED = "converted"
    DISQUALIFIED = "disqualified"


class LeadCategory(StrEnum):
    """Qualification outcome: A this quarter, B next quarter, C keep in touch, D unqualified."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class AccountKind(StrEnum):
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    PARTNER = "partner"
    COMPETITOR = "competitor"


class TitleLevel(StrEnum):
    C_LEVEL = "C-level"
    VP = "VP"
    DIRECTOR = "director"
    MANAGER = "manager"
    INDIVIDUAL = "individual contributor"
    STUDENT = "student"


class JobFunction(StrEnum):
    EXECUTIVE = "executive"
    SALES = "sales"
    MARKETING = "marketing"
    IT = "IT"
    ENGINEERING = "engineering"
    FINANCE = "finance"
    OPERATIONS = "operations"
    HR = "HR"
    OTHER = "other"


class ActivityKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"


class CallOutcome(StrEnum):
    CONNECTED = "connected"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no answer"
    BAD_NUMBER = "bad number"
    WRONG_PERSON = "wrong person"
    CALL_BACK = "call back"


class OpportunityStage(StrEnum):
    DISCOVERY = "Discovery"
    DEMO = "Demo"
    PROPOSAL = "Proposal"
    NEGOTIATION = "Negotiation"
    CLOSED_WON = "Closed Won"
    CLOSED_LOST = "Closed Lost"


class BlockKind(StrEnum):
    CLEANUP = "clean-up"
    EMAIL = "e-mail"
    CALLS = "calls"
    WRAPUP = "wrap-up"
