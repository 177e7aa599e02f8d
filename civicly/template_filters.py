"""Jinja filters every blueprint's templates may use, registered on the app so none depends on another blueprint."""
from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_percent, format_timedelta

from civicly.models.timestamps import utcnow


def time_left(deadline_at: datetime) -> str:
    """How far a deadline is, either way ("2 days"), for "… left" and "overdue by …" in officers' pages."""
    return format_timedelta(abs(deadline_at - utcnow()), threshold=1.1)


def age(moment: datetime) -> str:
    """How long ago, in the reader's language ("2 hours ago")."""
    return format_timedelta(moment - utcnow(), add_direction=True)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update({
        "datetime": lambda value, fmt="medium": format_datetime(value, fmt),
        "date_only": lambda value: format_date(value, "medium"),
        "percent": format_percent,
        "age": age,
        "time_left": time_left,
    })
