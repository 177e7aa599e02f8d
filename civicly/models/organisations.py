"""Ministries (departments): data managed from the CLI, never hard-coded."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from civicly.languages import LANGUAGES
from civicly.models.timestamps import utcnow


class Department(SQLModel, table=True):
    __tablename__ = "departments"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name_fr: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    name_ar: str = Field(default="", max_length=200)
    name_sw: str = Field(default="", max_length=200)
    active: bool = Field(default=True)
    # Escalation (triage/escalation.py): the share of the service-level time after which an unanswered case alerts
    # its holder (or the supervisors), in percent.
    warn_at_percent: int = Field(default=80, sa_column_kwargs={"server_default": "80"})
    created_at: datetime = Field(default_factory=utcnow)

    def name(self, locale: str, fallback: str = "fr") -> str:
        """The name in ``locale``, falling back to the default language, then French, never empty."""
        for lang in (locale, fallback, "fr", "en"):
            value = getattr(self, f"name_{lang}", "") if lang in LANGUAGES else ""
            if value:
                return value
        return self.code
