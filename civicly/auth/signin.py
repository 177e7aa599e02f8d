"""The one way a request becomes signed in, whatever proved who the officer is (password, single sign-on).

begin_sign_in is the gate: an officer with a second factor, or who must have one, is not signed in yet but
*pending*: their id waits in the session for PENDING_FOR while they give a code (auth.second_factor_page) or set one up
(auth.enrol_at_sign_in); complete_sign_in then opens the session.
"""
from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from civicly.auth.session import SignedInUser, session_policy
from civicly.db import get_session
from civicly.models import Role, User
from civicly.triage import accounts, second_factor, sessions

PENDING = "civicly.pending_sign_in"
ENROL_SECRET = "civicly.enrol_secret"
RECOVERY_CODES = "civicly.recovery_codes"
PENDING_FOR = timedelta(minutes=5)


def safe_next(target: str | None, user: User | None = None) -> str:
    """``target`` if it is a path on this site, else the user's home queue: never an open redirect.

    Triage staff work from the triage queue, everyone else from their ministries' queue."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("officer.triage" if user is not None and user.role == Role.triage else "officer.queue")


def finish_sign_in(user: User, next_url: str | None) -> Response:
    """Open a new session for ``user`` (nothing from before survives, a fresh id on the server) and go where they
    were heading. Never "remember me": a session ends with its timeouts."""
    session.clear()
    token, row = sessions.open_session(get_session(), user, session_policy(), address=request.remote_addr or "",
                                       user_agent=request.user_agent.string)
    login_user(SignedInUser(user, token, row.id), remember=False)
    return redirect(safe_next(next_url, user), code=303)


def sign_out() -> None:
    """End the current session on the server as well as in the browser: a copy of the cookie opens nothing after."""
    if current_user.is_authenticated:
        sessions.revoke(get_session(), current_user.session_id)
    logout_user()
    session.clear()


def begin_sign_in(user: User, next_url: str | None) -> Response:
    """Called once the officer has proved who they are by any method; every further check before the session opens
    belongs here, so that no sign-in method can skip it."""
    if second_factor.enrolled(user) or second_factor.required(user, current_app.config["REQUIRE_2FA"]):
        session.pop(ENROL_SECRET, None)
        session[PENDING] = {"user_id": user.id, "until": int(time.time() + PENDING_FOR.total_seconds()),
                            "next": safe_next(next_url, user)}
        endpoint = "auth.second_factor_page" if second_factor.enrolled(user) else "auth.enrol_at_sign_in"
        return redirect(url_for(endpoint), code=303)
    accounts.record_sign_in(get_session(), user)
    return finish_sign_in(user, next_url)


def pending_user() -> User | None:
    """Who proved their password (or single sign-on) but not yet a second factor, while PENDING_FOR lasts."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("user_id"), int) \
            or pending.get("until", 0) < time.time():
        return None
    user = get_session().get(User, pending["user_id"])
    return user if user is not None and user.active else None


def complete_sign_in(user: User, recovery_codes: list[str] | None = None) -> Response:
    """The second factor is proved (or was just set up): open the session; new recovery codes are shown next."""
    next_url = session.get(PENDING, {}).get("next")
    accounts.record_sign_in(get_session(), user)
    if recovery_codes is None:
        return finish_sign_in(user, next_url)
    response = finish_sign_in(user, url_for("auth.recovery_codes", next=safe_next(next_url, user)))
    session[RECOVERY_CODES] = recovery_codes  # into the new session, read once by the next page
    return response
