"""Messages to citizens, written in the same transaction as the change they announce, sent later by the worker."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class OutboxStatus(StrEnum):
    pending = "pending"  # waiting for its next attempt
    sending = "sending"  # claimed by a worker until ``lease_until``
    sent = "sent"
    dead = "dead"  # gave up: shown to admins, who may retry it
    cancelled = "cancelled"  # nothing to send any more (the citizen's address was erased meanwhile)


class OutboxMessage(SQLModel, table=True):
    """One e-mail or SMS to the citizen of a case, or (``recipient_id``) a digest to a civil servant. The address or
    number is read from the case or the account when sending, never copied here."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    recipient_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="events.id")
    kind: str = Field(max_length=16)  # acknowledgement | reply | status | closure | digest | sms_…
    language: str | None = Field(default=None, max_length=8)
    idempotency_key: str = Field(max_length=100, unique=True)  # also the Message-ID, so receivers can drop repeats
    status: str = Field(default=OutboxStatus.pending.value, max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = Field(default=None)
    claimed_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: datetime | None = Field(default=None)
    # SMS: the provider's id for the message, and what its last delivery report said (delivered, failed...).
    provider_message_id: str | None = Field(default=None, max_length=100, index=True)
    delivery_status: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
