"""Messages received from phone channels (SMS, WhatsApp, USSD), kept to recognise a provider's retries and to join
the parts of a long SMS that arrive split."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class ChannelMessage(SQLModel, table=True):
    """One message received from a provider that filed, joined or reopened a case, by the provider's own message id;
    the sender is read from the case."""

    __tablename__ = "channel_messages"
    __table_args__ = (
        UniqueConstraint("provider", "provider_message_id", name="uq_channel_messages_provider_message"),
        Index("ix_channel_messages_received_at", "received_at"),  # the last minutes' messages: parts to join
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=16)  # africastalking | twilio
    provider_message_id: str = Field(max_length=100)
    case_id: int = Field(foreign_key="cases.id", index=True)
    received_at: datetime = Field(default_factory=utcnow)
