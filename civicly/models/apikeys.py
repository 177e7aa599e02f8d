"""Keys for systems that file requests through the Open311 API. Only a hash of each key is stored."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12, index=True)  # first characters, to tell keys apart in listings
    key_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the whole key
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = Field(default=None)
    last_used_at: datetime | None = Field(default=None)
