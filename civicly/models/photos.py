"""Photos a citizen attached to a case: the re-encoded image and its thumbnail live in storage (civicly/storage.py),
this row says where and for which case."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class Photo(SQLModel, table=True):
    """One attached photo; ``image_name`` and ``thumbnail_name`` are random storage names, never the upload's."""

    __tablename__ = "photos"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    position: int = Field(default=0)  # the order the citizen attached them in
    image_name: str = Field(max_length=64)
    thumbnail_name: str = Field(max_length=64)
    content_type: str = Field(max_length=32)
    width: int
    height: int
    byte_size: int
    created_at: datetime = Field(default_factory=utcnow)
