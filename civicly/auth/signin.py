"""The one way a request becomes signed in, whatever proved who the officer is (password, single sign-on)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from civicly.auth.session import SignedInUser, session_policy
from civicly.db import get_session
from civicly.models import User
from civicly.triage import sessions


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the queue: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("officer.queue")


def finish_sign_in(user: User, next_url: str | None) -> Response:
    """Open a new session for ``user`` (nothing from before survives, a fresh id on the server) and go where they
    were heading. Never "remember me": a session ends with its timeouts."""
    session.clear()
    token, row = sessions.open_session(get_session(), user, session_policy(), address=request.remote_addr or "",
                                       user_agent=request.user_agent.string)
    login_user(SignedInUser(user, token, row.id), remember=False)
    return redirect(safe_next(next_url), code=303)


def sign_out() -> None:
    """End the current session on the server as well as in the browser: a copy of the cookie opens nothing after."""
    if current_user.is_authenticated:
        sessions.revoke(get_session(), current_user.session_id)
    logout_user()
    session.clear()


def begin_sign_in(user: User, next_url: str | None) -> Response:
    """Called once the officer has proved who they are by any method; every further check before the session opens
    belongs here, so that no sign-in method can skip it."""
    return finish_sign_in(user, next_url)
