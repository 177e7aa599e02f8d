"""Officers' sign-in and sign-out (Flask-Login over the users table), by password or single sign-on."""
from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates", url_prefix="/officer")

from civicly.auth import sso, views  # noqa: E402,F401
