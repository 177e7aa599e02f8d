"""The officers' working day: reply templates, and the alerts sent about cases close to or past their deadline."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class ReplyTemplate(SQLModel, table=True):
    """A ready answer in one language, for one ministry (or every ministry when ``department_id`` is None)."""

    __tablename__ = "reply_templates"

    id: int | None = Field(default=None, primary_key=True)
    department_id: int | None = Field(default=None, foreign_key="departments.id", index=True)
    language: str = Field(max_length=8)
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: str = Field(max_length=254)
    updated_at: datetime = Field(default_factory=utcnow)


class CaseAlert(SQLModel, table=True):
    """One person told about one case: ``level`` warning (most of the time spent), overdue (each working day) or
    reopened. Unique per day, so an alert is never given twice; ``digest_id`` is the e-mail that carried it."""

    __tablename__ = "case_alerts"
    __table_args__ = (UniqueConstraint("case_id", "level", "day", "recipient_id",
                                       name="uq_case_alerts_case_id_level_day_recipient_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    recipient_id: int = Field(foreign_key="users.id", index=True)
    level: str = Field(max_length=16)
    day: date
    digest_id: int | None = Field(default=None, foreign_key="outbox.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
