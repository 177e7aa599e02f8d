"""Pages for leadership and administrators: the dashboard, report downloads and the outbox's dead letters."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint
from flask_babel import format_date, format_timedelta

from civicly.models.timestamps import utcnow

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


@bp.app_template_filter("time_left")
def time_left(deadline_at: datetime) -> str:
    """How far a deadline is, either way ("2 days"), for "… left" and "overdue by …" in officers' pages."""
    return format_timedelta(abs(deadline_at - utcnow()), threshold=1.1)


@bp.app_template_filter("date_only")
def date_only(value) -> str:
    return format_date(value, "medium")


from civicly.admin import views  # noqa: E402,F401
