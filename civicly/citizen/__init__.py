"""Pages for citizens: no account, submit a concern, follow it by reference."""
from flask import Blueprint

bp = Blueprint("citizen", __name__, template_folder="templates")

from civicly.citizen import satisfaction, views  # noqa: E402,F401
