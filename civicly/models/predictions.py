"""What the model said about a case, kept with the version that said it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class Prediction(SQLModel, table=True):
    __tablename__ = "predictions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    model_version: str = Field(max_length=64)
    department_code: str | None = Field(default=None, max_length=32)
    confidence: float = Field(default=0.0)
    auto_routed: bool = Field(default=False)
    triage_reason: str | None = Field(default=None, max_length=32)
    top3: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reasons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    urgency: str | None = Field(default=None, max_length=8)
    urgency_score: float = Field(default=0.0)
    urgency_source: str | None = Field(default=None, max_length=16)
    urgency_reasons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
