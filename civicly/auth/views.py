"""Sign-in, second-factor and sign-out pages; the rules live in triage.accounts and triage.second_factor."""
from __future__ import annotations

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civicly.auth import bp
from civicly.auth.forms import CodeForm, LoginForm
from civicly.auth.signin import (
    ENROL_SECRET,
    RECOVERY_CODES,
    begin_sign_in,
    complete_sign_in,
    pending_user,
    safe_next,
    sign_out,
)
from civicly.db import get_session
from civicly.extensions import limiter
from civicly.models import User
from civicly.triage import accounts, second_factor


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


def _start_again():
    flash(_("Your sign-in took too long or was not started; please sign in again."), "error")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def second_factor_page():
    """The second step of signing in: a code from the app (or a recovery code) for the pending officer."""
    user = pending_user()
    if user is None or not second_factor.enrolled(user):
        return _start_again()
    form = CodeForm()
    if form.validate_on_submit():
        if second_factor.verify(get_session(), user, form.code.data or ""):
            return complete_sign_in(user)
        form.code.errors = [_("This code is wrong, has already been used, or the account is locked for a while.")]
        return render_template("auth/second_factor.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def enrol_at_sign_in():
    """An officer who must have a second factor and has none sets it up before their session opens."""
    user = pending_user()
    if user is None or second_factor.enrolled(user):
        return _start_again()
    codes = _enrolment(user)
    if isinstance(codes, list):
        return complete_sign_in(user, codes)
    return codes


@bp.get("/account")
@login_required
def account():
    user = current_user.user
    return render_template("auth/account.html", enrolled=second_factor.enrolled(user),
                           enrolled_at=user.totp_enrolled_at,
                           remaining=second_factor.remaining_recovery_codes(get_session(), user))


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def enrol():
    """A signed-in officer sets up a second factor of their own accord."""
    user = current_user.user
    if second_factor.enrolled(user):
        return redirect(url_for("auth.account"), code=303)
    codes = _enrolment(user)
    if isinstance(codes, list):
        session[RECOVERY_CODES] = codes
        return redirect(url_for("auth.recovery_codes", next=url_for("auth.account")), code=303)
    return codes


def _enrolment(user: User) -> list[str] | tuple[str, int]:
    """The set-up page (QR code and secret) until a valid first code; then the new recovery codes."""
    secret = session.get(ENROL_SECRET)
    if not isinstance(secret, str):
        secret = session[ENROL_SECRET] = second_factor.new_secret()
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = second_factor.enrol(get_session(), user, secret, form.code.data or "")
        except second_factor.InvalidCode:
            form.code.errors = [_("This code does not match; check the time on your phone and type the newest code.")]
            status = 400
        else:
            session.pop(ENROL_SECRET, None)
            return codes
    elif request.method == "POST":
        status = 400
    uri = second_factor.provisioning_uri(user, secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/enrol.html", form=form, qr=qr, secret=grouped), status


@bp.get("/account/recovery-codes")
@login_required
def recovery_codes():
    """The recovery codes just made, shown this once (they are kept only as digests)."""
    codes = session.pop(RECOVERY_CODES, None)
    if not isinstance(codes, list):
        return redirect(url_for("auth.account"), code=303)
    response = current_app.make_response(render_template("auth/recovery_codes.html", codes=codes,
                                                         next_url=safe_next(request.args.get("next"))))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/logout")
@login_required
def logout():
    sign_out()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"), code=303)
