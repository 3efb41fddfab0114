"""The state of every e-mail RepDesk asks the CRM to send, kept apart from the Task that
records it, so a retried Task write can neither skip a send nor repeat one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.store.base import Base

# "to send": not sent yet (or the rep asked to send it again); "sending": the request may be
# on its way; "sent": the CRM said it sent it; "unsure": the answer never came, so it may or
# may not have gone (never sent again without the rep); "refused": the CRM said it did not.
TO_SEND, SENDING, SENT, UNSURE, REFUSED = "to send", "sending", "sent", "unsure", "refused"
# A meeting's invitation, held until its Event is in the CRM (``models.sync.slots``).
WAITING = "waiting"


class EmailSend(Base):
    __tablename__ = "email_sends"
    __table_args__ = (Index(None, "state"),)

    # The e-mail activity's id: one send per activity.
    activity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(10), default=TO_SEND)
    attempts: Mapped[int] = mapped_column(default=0)
    # When the latest attempt left, and what the CRM (or the network) said.
    tried_at: Mapped[datetime | None]
    message: Mapped[str | None] = mapped_column(Text)
