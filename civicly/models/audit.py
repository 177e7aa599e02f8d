"""The append-only history of every case."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, event
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow

MESSAGE_MAX = 5000  # the longest note or reply an officer may write on a case (Event.message)


class Event(SQLModel, table=True):
    """Something that happened to a case: who, when, what, before and after. Never updated or deleted."""

    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=32)
    actor: str = Field(max_length=254)
    public: bool = Field(default=False)
    message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    before: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _refuse_rewriting_history(_mapper: Any, _connection: Any, target: Event) -> None:
    raise RuntimeError(f"Events are append-only; refusing to change event {target.id}.")
