"""Operations endpoints for load balancers and orchestrators: liveness and readiness, never rate-limited."""
from flask import Blueprint

from civicly.extensions import csrf, limiter

bp = Blueprint("ops", __name__)
csrf.exempt(bp)
limiter.exempt(bp)

from civicly.ops import views  # noqa: E402,F401
