"""The signed-in user of a request: the session id in the cookie, checked against its server-side row and the
account on every request (a revoked session, a timed-out one or a disabled account is out at once)."""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user

from civicly.classify import model_problem
from civicly.db import get_session
from civicly.extensions import login_manager
from civicly.models import Role, User
from civicly.triage import reply_templates, sessions
from civicly.triage.permissions import Actor


class SignedInUser(UserMixin):
    """What Flask-Login keeps in the cookie is ``get_id()``: the random session id, never the account's number, so
    the cookie is worth nothing once the session row is revoked."""

    def __init__(self, user: User, token: str, session_id: int):
        self.id = user.id
        self.email = user.email
        self.role = user.role
        self.user = user
        self.token = token
        self.session_id = session_id

    def get_id(self) -> str:
        return self.token


def session_policy() -> sessions.SessionPolicy:
    return sessions.SessionPolicy.from_config(current_app.config)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"

    app.context_processor(_admin_alerts)
    app.context_processor(_staff_menu)

    @login_manager.user_loader
    def _load(token: str) -> SignedInUser | None:
        signed_in = sessions.validate(get_session(), token, session_policy())
        if signed_in is None:
            return None
        user, row = signed_in
        return SignedInUser(user, token, row.id)


def _admin_alerts() -> dict:
    """Admins see at once when submissions are going unrouted because no model serves."""
    if current_user.is_authenticated and current_user.role == Role.admin.value:
        return {"model_alert": model_problem()}
    return {}


def _staff_menu() -> dict:
    """What the staff menu offers besides the queue: the team's load (supervisors) and the reply templates
    (supervisors and admins)."""
    if not current_user.is_authenticated:
        return {}
    actor = current_actor()
    return {"supervises": actor.is_supervisor, "manages_templates": reply_templates.may_manage_any(actor)}


def current_actor() -> Actor:
    return Actor.of(get_session(), current_user.user)
