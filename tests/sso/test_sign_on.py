"""Officers sign in through a real OpenID provider run locally (oidc-provider, tests/sso/provider).

Civicly runs in the Flask test client; its calls to the provider (discovery, keys, token, userinfo) are real HTTP.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from civicly import create_app
from tests.conftest import ACTOR
from tests.sso.conftest import ACCOUNTS, CIVICLY_URL, REDIRECT_URI

OFFICER_EMAIL = "aminata.diallo@sante.gov.sn"  # the provider's address for "officer", normalised


def start(client, next_url: str | None = None) -> str:
    """Press the sign-in page's single sign-on button; the provider's authorization URL it leads to."""
    response = client.get("/officer/sso" + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def come_back(client, callback_url: str):
    """The browser arriving at Civicly's callback with what the provider put in the URL."""
    assert callback_url.startswith(REDIRECT_URI)
    return client.get(callback_url.removeprefix(CIVICLY_URL))


def login_page_after(client, response) -> str:
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/officer/login"
    return client.get(response.headers["Location"]).get_data(as_text=True)


def assert_signed_out(client) -> None:
    queue = client.get("/officer/queue")
    assert queue.status_code == 302 and "/officer/login" in queue.headers["Location"]


def test_sign_in_page_offers_the_provider(client):
    page = client.get("/officer/login").get_data(as_text=True)
    assert 'href="/officer/sso"' in page and "Sign in with Ministry ID" in page


def test_authorization_request_uses_pkce_state_and_nonce(client):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [REDIRECT_URI] and "email" in query["scope"][0].split()


def test_officer_with_verified_email_signs_in(client, make_user, provider_browser, session):
    from civicly.models import User

    officer = make_user(OFFICER_EMAIL)
    callback = provider_browser.sign_in(start(client, next_url="/officer/queue?page=1"), "officer")
    response = come_back(client, callback)

    assert response.status_code == 303 and response.headers["Location"] == "/officer/queue?page=1"
    queue = client.get("/officer/queue")
    assert queue.status_code == 200 and OFFICER_EMAIL in queue.get_data(as_text=True)
    session.refresh(officer)
    assert session.get(User, officer.id).last_login_at is not None


@pytest.mark.parametrize(("account", "message"), [
    ("stranger", "No active Civicly account has the e-mail address"),
    ("gone", "No active Civicly account has the e-mail address"),
    ("unverified", "has not confirmed your e-mail address"),
])
def test_identity_without_usable_account_is_refused(client, make_user, session, provider_browser, account, message):
    from civicly.triage.accounts import set_active

    make_user(OFFICER_EMAIL)  # "unverified" claims this address: an unconfirmed claim must not reach it
    make_user(ACCOUNTS["gone"]["email"])
    set_active(session, ACCOUNTS["gone"]["email"], False, actor=ACTOR)
    session.commit()

    response = come_back(client, provider_browser.sign_in(start(client), account))

    assert message in login_page_after(client, response)
    assert_signed_out(client)


def test_tampered_state_is_refused(client, make_user, provider_browser):
    make_user(OFFICER_EMAIL)
    callback = urlsplit(provider_browser.sign_in(start(client), "officer"))
    query = parse_qs(callback.query)
    query["state"] = ["forged" + query["state"][0]]
    response = come_back(client, f"{REDIRECT_URI}?{urlencode(query, doseq=True)}")

    assert "has expired or was not started from this browser" in login_page_after(client, response)
    assert_signed_out(client)


def test_callback_from_another_browser_is_refused(app, client, make_user, provider_browser):
    """Login CSRF: a code obtained by someone else's flow does not sign this browser in."""
    make_user(OFFICER_EMAIL)
    callback = provider_browser.sign_in(start(client), "officer")
    other_browser = app.test_client()

    assert "has expired" in login_page_after(other_browser, come_back(other_browser, callback))
    assert_signed_out(other_browser)


def test_callback_replayed_is_refused(client, make_user, provider_browser):
    make_user(OFFICER_EMAIL)
    callback = provider_browser.sign_in(start(client), "officer")
    assert come_back(client, callback).status_code == 303

    assert "has expired" in login_page_after(client, come_back(client, callback))


def test_officer_cancelling_at_the_provider_sees_why(client, provider_browser):
    response = come_back(client, provider_browser.cancel(start(client)))

    assert "Sign-in through Ministry ID was cancelled." in login_page_after(client, response)


def test_unreachable_provider_is_a_message_not_an_error(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "MODEL_DIR": str(tmp_path / "models"), "DEFAULT_LOCALE": "en", "PUBLIC_URL": CIVICLY_URL,
                      "OIDC_ISSUER": "http://127.0.0.1:9", "OIDC_CLIENT_ID": "x", "OIDC_CLIENT_SECRET": "y"})
    client = app.test_client()
    response = client.get("/officer/sso?next=/officer/queue")

    page = login_page_after(client, response)
    assert "Sign-in through 127.0.0.1 did not work" in page
    assert response.headers["Location"] == "/officer/login?next=/officer/queue"
    app.extensions["civicly.engine"].dispose()


def test_without_a_provider_there_is_no_button_and_no_route(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "MODEL_DIR": str(tmp_path / "models"), "DEFAULT_LOCALE": "en", "OIDC_ISSUER": ""})
    client = app.test_client()

    assert "/officer/sso" not in client.get("/officer/login").get_data(as_text=True)
    assert client.get("/officer/sso").status_code == 404
    assert client.get("/officer/sso/callback?code=x&state=y").status_code == 404
    app.extensions["civicly.engine"].dispose()
