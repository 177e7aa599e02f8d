"""Times are aware and in UTC everywhere; SQLModel's UTCDateTime keeps them so in SQLite and PostgreSQL alike."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
