"""Times are aware and in UTC everywhere; SQLModel's UTCDateTime keeps them so in SQLite and PostgreSQL alike."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
