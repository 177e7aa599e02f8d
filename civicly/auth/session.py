"""The signed-in user of a request, loaded fresh from the database on every request."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user

from civicly.classify import model_problem
from civicly.db import get_session
from civicly.extensions import login_manager
from civicly.models import Role, User
from civicly.triage.permissions import Actor


class SignedInUser(UserMixin):
    """What Flask-Login keeps: an id, re-checked against the database each request (a disabled account is out at
    once)."""

    def __init__(self, user: User):
        self.id = user.id
        self.email = user.email
        self.role = user.role
        self.user = user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"

    app.context_processor(_admin_alerts)

    @login_manager.user_loader
    def _load(user_id: str) -> SignedInUser | None:
        if not user_id.isdigit():
            return None
        user = get_session().get(User, int(user_id))
        return SignedInUser(user) if user is not None and user.active else None


def _admin_alerts() -> dict:
    """Admins see at once when submissions are going unrouted because no model serves."""
    if current_user.is_authenticated and current_user.role == Role.admin.value:
        return {"model_alert": model_problem()}
    return {}


def current_actor() -> Actor:
    return Actor.of(get_session(), current_user.user)
