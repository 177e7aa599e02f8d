"""Officers' confirmed or corrected routing and urgency: the training examples of the next model."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class Label(SQLModel, table=True):
    __tablename__ = "labels"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))  # redacted of personal data
    language: str | None = Field(default=None, max_length=8)
    department_code: str | None = Field(default=None, max_length=32)
    urgency: str | None = Field(default=None, max_length=8)
    kind: str = Field(max_length=16)  # confirm | correct
    decided_by: str = Field(max_length=254)
    model_version: str | None = Field(default=None, max_length=64)
    predicted_department: str | None = Field(default=None, max_length=32)
    predicted_urgency: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
