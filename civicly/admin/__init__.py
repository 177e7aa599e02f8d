"""Pages for leadership and administrators: the dashboard, report downloads and the outbox's dead letters."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


from civicly.admin import views  # noqa: E402,F401
