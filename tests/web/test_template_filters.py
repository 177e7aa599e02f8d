"""Jinja filters belong to the app: officers' templates render whichever other blueprints are registered."""
from datetime import timedelta

from flask import Flask, render_template

from civicly import i18n, template_filters
from civicly.models.timestamps import utcnow
from civicly.officer import bp as officer_bp


def test_the_officer_deadline_renders_on_an_app_without_the_admin_blueprint():
    app = Flask(__name__)
    app.config.update(DEFAULT_LOCALE="en", SESSION_COOKIE_SECURE=False)
    i18n.init_app(app)
    template_filters.init_app(app)
    app.register_blueprint(officer_bp)
    assert "admin" not in app.blueprints
    with app.test_request_context("/officer/queue"):
        soon = render_template("officer/_deadline.html", deadline_at=utcnow() + timedelta(days=2, hours=1),
                               overdue=False)
        late = render_template("officer/_deadline.html", deadline_at=utcnow() - timedelta(days=3), overdue=True)
    assert "(2 days left)" in soon
    assert "Overdue by 3 days" in late
