"""Pages for civil servants: their ministries' queue, the manual triage queue, and case decisions."""
from flask import Blueprint

bp = Blueprint("officer", __name__, template_folder="templates", url_prefix="/officer")

from civicly.officer import personal_data, views, working_day  # noqa: E402,F401
