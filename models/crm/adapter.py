"""What the sync engine needs from a CRM. Salesforce is one adapter; another CRM is one more
module implementing this protocol, with no change to the engine."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class CrmError(Exception):
    """Anything the CRM or the network did wrong; subclasses say what to do about it."""


class TransientError(CrmError):
    """Timeouts, dropped connections, 503, UNABLE_TO_LOCK_ROW: back off and retry."""


class BrokenAnswer(TransientError):
    """An answer that does not fit its request: cut short, malformed, or another request's
    (a stale answer on a kept-alive connection). The connection that brought it is dropped."""


class OutcomeUnknown(TransientError):
    """A call that is never sent twice automatically (it is not idempotent) got no answer it
    could trust: the CRM may or may not have acted on it."""


class AnswerTooLarge(CrmError):
    """An answer over the size RepDesk reads: refused unread (a query asks for smaller
    pages before it gives up)."""


class AuthError(CrmError):
    """The CRM no longer accepts our credentials, even after a refresh: sign in again."""


class LimitExceeded(CrmError):
    """REQUEST_LIMIT_EXCEEDED: stop this run and tell the rep."""


class DeletionLogExpired(CrmError):
    """INVALID_REPLICATION_DATE: the CRM's log of deletions no longer reaches back to the start
    asked for (Salesforce keeps 15 days); only a full comparison of ids can tell what went."""


@dataclass(frozen=True)
class SaveResult:
    """One record's answer inside a collection call."""

    crm_id: str | None
    success: bool
    created: bool = False
    errors: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def message(self) -> str:
        return "; ".join(f"{e.get('statusCode', '')}: {e.get('message', '')}"
                         for e in self.errors)


@dataclass(frozen=True)
class RefusedRecord:
    """A record the CRM sent that RepDesk did not take in, and why; the rest of its page was."""

    object: str
    crm_id: str | None
    field: str
    reason: str

    @property
    def message(self) -> str:
        return (f"{self.object} {self.crm_id or '(no valid id)'}: {self.field} {self.reason}; "
                "the record was not taken in")


@dataclass(frozen=True)
class PicklistValue:
    """One value a picklist field offers, as the CRM's describe lists it."""

    value: str
    label: str
    active: bool = True
    default: bool = False


class CrmAdapter(Protocol):
    external_id: str
    # Records the adapter's checks refused since the sync last took them (``take_refused``).
    refused: list[RefusedRecord]
    # Which CRM this is (for Salesforce, the org's id); None when it is not known. The
    # sync's watermarks belong to one CRM: another one is read in full.
    org: str | None

    def upsert(self, obj: str, records: Sequence[dict[str, Any]]) -> list[SaveResult]:
        """Create or update by the external id, up to 200 records, not all-or-none."""
        ...

    def update(self, obj: str, records: Sequence[dict[str, Any]]) -> list[SaveResult]:
        """Update records that carry their CRM ``Id``."""
        ...

    def delete(self, ids: Sequence[str]) -> list[SaveResult]: ...

    def retrieve(self, obj: str, ids: Sequence[str],
                 fields: Sequence[str]) -> list[dict[str, Any] | None]: ...

    def query(self, soql: str) -> Iterator[list[dict[str, Any]]]:
        """Pages of records, following ``nextRecordsUrl``."""
        ...

    def send_email(self, to: str, subject: str, body: str) -> None:
        """Have the CRM send an e-mail as the signed-in rep (Salesforce's emailSimple)."""
        ...

    def picklists(self, obj: str) -> dict[str, list[PicklistValue]]:
        """Each picklist field of an object → the values it offers (Salesforce's describe
        lists the active ones only)."""
        ...

    def deleted(self, obj: str, start: str, end: str) -> list[str]:
        """CRM ids of the records deleted (or merged away) between two datetimes.

        Raises:
            DeletionLogExpired: the CRM no longer knows its deletions since ``start``.
        """
        ...

    def query_all(self, soql: str) -> Iterator[list[dict[str, Any]]]:
        """As ``query``, deleted and merged records included (``IsDeleted``,
        ``MasterRecordId``)."""
        ...

    def upsert_at_most_once(self, obj: str, records: Sequence[dict[str, Any]]
                            ) -> list[SaveResult]:
        """As ``upsert``, never repeated once the request may have reached the CRM.

        Raises:
            OutcomeUnknown: it may have been carried out, and no matching answer came.
        """
        ...

    def send_email_at_most_once(self, to: str, subject: str, body: str) -> None:
        """As ``send_email``, in one attempt that is never repeated once the request may have
        left (a 401 before the CRM read it is retried once, with a new token).

        Raises:
            OutcomeUnknown: the request may have reached the CRM and the answer did not come
                back whole: the mail may or may not have gone.
            CrmError: the CRM answered that it did not send it.
        """
        ...


def take_refused(adapter: CrmAdapter) -> list[RefusedRecord]:
    """The records refused since the last call, handed over once."""
    refused = getattr(adapter, "refused", None)
    if not refused:
        return []
    taken = list(refused)
    del refused[:len(taken)]
    return taken
