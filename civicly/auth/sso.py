"""Single sign-on: officers sign in through their ministry's OpenID Connect provider (Authlib's Flask client).

Authorization code flow with PKCE (S256), state and nonce, all made and checked by Authlib; the ID token's signature,
issuer, audience, expiry and nonce are checked against the provider's discovery document and keys. The rule of
which account may sign in lives in triage.single_sign_on; the session opens through signin.begin_sign_in, the same
gate as password sign-in.

The button on the sign-in page is a plain link, not a form: the site's CSP (`form-action 'self'`) also covers the
redirects that follow a form submission, so Chromium refuses to take a submitted form on to the provider
(tests/sso/test_browser.py signs in through the link). A GET is safe here: starting a flow only stores a fresh
state in the session, and the callback accepts nothing but the state this browser's own session holds.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from civicly.auth import bp
from civicly.auth.signin import begin_sign_in
from civicly.db import get_session
from civicly.triage.single_sign_on import SignOnRefused, account_for_identity

log = logging.getLogger(__name__)

CLIENT = "civicly.sso"
CALLBACK_PATH = "/sso/callback"
NEXT_KEY = "sso_next"
PROVIDER_TIMEOUT = 10  # seconds for each call to the provider (discovery, keys, token, userinfo)
# What can go wrong between Civicly and the provider, caught only around the calls to it: refusals and bad answers
# (OAuthError, its state mismatch, token validation), network failures, JSON that is not, and a discovery document
# without an endpoint Authlib needs (KeyError, RuntimeError).
PROVIDER_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError, RuntimeError)


def init_app(app: Flask) -> None:
    """Register the provider's client when CIVICLY_OIDC_ISSUER is set; the sign-in page shows its button then."""
    issuer = app.config["OIDC_ISSUER"]
    app.jinja_env.globals["sso_label"] = (app.config["OIDC_LABEL"] or urlsplit(issuer).hostname) if issuer else None
    if not issuer:
        return
    app.extensions[CLIENT] = OAuth(app).register(
        "oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email", "code_challenge_method": "S256", "default_timeout": PROVIDER_TIMEOUT},
    )


def _client() -> FlaskOAuth2App:
    client = current_app.extensions.get(CLIENT)
    if client is None:
        abort(404)
    return client


def redirect_uri() -> str:
    """The fixed address registered at the provider; from CIVICLY_PUBLIC_URL, not the request's Host header."""
    return f"{current_app.config['PUBLIC_URL']}{bp.url_prefix}{CALLBACK_PATH}"


@bp.get("/sso")
def sso_start() -> Response:
    client = _client()
    session[NEXT_KEY] = request.args.get("next")
    try:
        return client.authorize_redirect(redirect_uri())
    except PROVIDER_ERRORS as exc:
        return _failed(exc)


@bp.get(CALLBACK_PATH)
def sso_callback() -> Response:
    client = _client()
    try:
        token = client.authorize_access_token()
        claims = _identity(client, token)
    except PROVIDER_ERRORS as exc:
        return _failed(exc)
    try:
        user = account_for_identity(get_session(), claims)
    except SignOnRefused as refusal:
        log.info("single sign-on refused: no usable account for the identity given")
        return _back_to_login(str(refusal))
    return begin_sign_in(user, session.pop(NEXT_KEY, None))


def _identity(client: FlaskOAuth2App, token: dict) -> dict:
    """The ID token's claims (validated by Authlib), with the e-mail claims from the userinfo endpoint when the
    provider keeps them out of the ID token (oidc-provider and others do when an access token is issued)."""
    claims = token.get("userinfo")
    if not claims:
        raise OAuthError(error="missing_id_token", description="the token response has no ID token")
    claims = dict(claims)
    if "email" not in claims or "email_verified" not in claims:
        userinfo = client.userinfo(token=token)
        if userinfo.get("sub") != claims.get("sub"):
            raise OAuthError(error="userinfo_mismatch", description="userinfo is about another subject")
        claims.update({key: userinfo[key] for key in ("email", "email_verified") if key in userinfo})
    return claims


def _failed(exc: Exception) -> Response:
    """A translated message on the sign-in page; the log keeps the kind of failure, never who it was about."""
    label = current_app.jinja_env.globals["sso_label"]
    if isinstance(exc, MismatchingStateError):
        log.warning("single sign-on: the callback's state is not one this session started")
        message = _("This sign-in attempt has expired or was not started from this browser. Please try again.")
    elif isinstance(exc, OAuthError) and exc.error == "access_denied":
        log.info("single sign-on cancelled at the provider")
        message = _("Sign-in through %(provider)s was cancelled.", provider=label)
    else:
        log.warning("single sign-on failed: %s %s", type(exc).__name__, getattr(exc, "error", "") or "")
        message = _("Sign-in through %(provider)s did not work. Please try again, or sign in with your password.",
                    provider=label)
    return _back_to_login(message)


def _back_to_login(message: str) -> Response:
    flash(message, "error")
    return redirect(url_for("auth.login", next=session.pop(NEXT_KEY, None)), code=303)
