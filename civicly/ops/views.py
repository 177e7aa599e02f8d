"""``/healthz``: the process answers. ``/readyz``: it can also store and route a submission."""
from __future__ import annotations

from flask import jsonify

from civicly.db import get_engine
from civicly.ops import bp, readiness


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = [readiness.database_check(get_engine()), readiness.model_check()]
    body = {check.name: check.detail for check in checks}
    body.update({f"{check.name}_version": check.version for check in checks if check.version})
    return jsonify(body), 200 if all(check.ok for check in checks) else 503
