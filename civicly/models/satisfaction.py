"""Citizens' answer to "was your concern answered?", asked once a case is closed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class SatisfactionAnswer(SQLModel, table=True):
    __tablename__ = "satisfaction_answers"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)  # one answer per case; revising replaces it
    answered: bool
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # redacted of personal data
    created_at: datetime = Field(default_factory=utcnow)
    revised_at: datetime | None = Field(default=None)  # the latest answer counts (triage/satisfaction.py)
