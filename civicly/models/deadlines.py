"""Response deadlines as data: a number of days per ministry (and urgency), and the public holidays to skip."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class ServiceLevel(SQLModel, table=True):
    """How long a ministry has to answer. Empty ministry or urgency means "any"; the most specific row wins."""

    __tablename__ = "service_levels"
    __table_args__ = (UniqueConstraint("department_id", "urgency", name="uq_service_levels_department_id_urgency"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int | None = Field(default=None, foreign_key="departments.id")
    urgency: str | None = Field(default=None, max_length=8)
    days: int
    working_days: bool = Field(default=True)  # False: calendar days
    updated_at: datetime = Field(default_factory=utcnow)


class Holiday(SQLModel, table=True):
    """A public holiday: not a working day for deadlines counted in working days."""

    __tablename__ = "holidays"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    name: str = Field(max_length=200)
