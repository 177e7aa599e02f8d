"""Civicly: citizen-feedback triage for public administrations."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; the steps below read as its table of contents."""
    from civicly import (
        classify,
        db,
        error_pages,
        i18n,
        logging_setup,
        metrics,
        security,
        storage,
        template_filters,
        upload_limits,
    )
    from civicly.auth import session as auth_session
    from civicly.auth import sso
    from civicly.config import load_settings
    from civicly.extensions import csrf, limiter
    from civicly.ops import proxy

    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_settings(Path(app.instance_path)))
    if config:
        app.config.from_mapping(config)

    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    logging_setup.init_app(app)
    proxy.init_app(app)
    upload_limits.init_app(app)  # before the CSRF check reads the form
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    template_filters.init_app(app)
    db.init_app(app)
    classify.init_app(app)
    storage.init_app(app)
    auth_session.init_app(app)
    sso.init_app(app)
    security.init_app(app)
    error_pages.init_app(app)
    metrics.init_app(app)

    from civicly.admin import bp as admin_bp
    from civicly.api import bp as api_bp
    from civicly.auth import bp as auth_bp
    from civicly.channels import bp as channels_bp
    from civicly.citizen import bp as citizen_bp
    from civicly.officer import bp as officer_bp
    from civicly.ops import bp as ops_bp

    app.register_blueprint(citizen_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(officer_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(ops_bp)
    csrf.exempt(channels_bp)  # signed by the providers instead (civicly/channels/gate.py)
    app.register_blueprint(channels_bp)
    return app
