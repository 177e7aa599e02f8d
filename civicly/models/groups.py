"""Groups of near-identical open reports, so officers work one problem once."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class CaseGroup(SQLModel, table=True):
    """Similar reports to one ministry; ``lead_case_id`` is the case officers work and answer."""

    __tablename__ = "case_groups"

    id: int | None = Field(default=None, primary_key=True)
    department_id: int | None = Field(default=None, foreign_key="departments.id", index=True)
    lead_case_id: int = Field(foreign_key="cases.id", index=True)  # every queue page looks its leads up
    created_at: datetime = Field(default_factory=utcnow)
    surge_at: datetime | None = Field(default=None)  # when many reports arrived in a short window


class CaseGroupMember(SQLModel, table=True):
    """A case's place in a group (a case belongs to one group at most); the lead is a member too."""

    __tablename__ = "case_group_members"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    group_id: int = Field(foreign_key="case_groups.id", index=True)
    similarity: float = Field(default=1.0)  # cosine similarity to the case it was matched with
    joined_at: datetime = Field(default_factory=utcnow)
