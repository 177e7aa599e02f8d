"""The one way a request becomes signed in, whatever proved who the officer is (password, single sign-on)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from civicly.auth.session import SignedInUser
from civicly.models import User


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the queue: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("officer.queue")


def finish_sign_in(user: User, next_url: str | None) -> Response:
    """Open a new session for ``user`` (nothing from before survives) and go where they were heading."""
    session.clear()
    login_user(SignedInUser(user))
    return redirect(safe_next(next_url), code=303)


def begin_sign_in(user: User, next_url: str | None) -> Response:
    """Called once the officer has proved who they are by any method; every further check before the session opens
    belongs here, so that no sign-in method can skip it."""
    return finish_sign_in(user, next_url)
