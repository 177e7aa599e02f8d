"""Sign-in and sign-out pages; the rules live in triage.accounts."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from civicly.auth import bp
from civicly.auth.forms import LoginForm
from civicly.auth.signin import begin_sign_in, sign_out
from civicly.db import get_session
from civicly.extensions import limiter
from civicly.triage import accounts


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(get_session(), form.email.data or "", form.password.data or "")
        if user is not None:
            return begin_sign_in(user, request.args.get("next"))
        form.password.errors = [_("E-mail address or password is wrong, or the account is locked for a while.")]
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    sign_out()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"), code=303)
