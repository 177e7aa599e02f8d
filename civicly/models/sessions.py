"""Officers' signed-in sessions, kept on the server so that one can be ended before its cookie expires."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class UserSession(SQLModel, table=True):
    """One sign-in: the browser holds a random id whose SHA-256 is ``token_hash``; the row says whether it still
    opens pages (not revoked, not idle too long, before ``expires_at``)."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the id in the cookie, never the id itself
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)  # refreshed at most once a minute
    expires_at: datetime  # the absolute end, whatever the activity
    revoked_at: datetime | None = Field(default=None)
    address: str = Field(default="", max_length=64)  # the client's IP address at sign-in, for the admin listing
    user_agent: str = Field(default="", max_length=120)  # shortened, to tell a user's browsers apart
