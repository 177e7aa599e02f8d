"""Abuse: rate limits with clear 429 pages, the honeypot, the request size limit, security headers and cookies."""
import pytest
from sqlmodel import select

from civicly import create_app
from civicly.models import Case
from tests.conftest import PASSWORD, csrf_token

TEXT = "The street lights on Avenue Cheikh Anta Diop have been off for a week."


@pytest.fixture
def limited_app(app):
    """The test app with rate limits switched on and set low."""
    app.config.update(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="2 per minute", TRACK_RATE_LIMIT="3 per minute",
                      LOGIN_RATE_LIMIT="2 per minute")
    from civicly.extensions import limiter

    limiter.init_app(app)
    yield app
    limiter.init_app(app)


def test_submissions_beyond_the_limit_get_a_clear_429_with_retry_time(limited_app, seeded):
    client = limited_app.test_client()
    token = csrf_token(client.get("/submit").get_data(as_text=True))
    statuses = [client.post("/submit", data={"csrf_token": token, "text": f"{TEXT} ({i})"}).status_code
                for i in range(3)]
    assert statuses == [303, 303, 429]
    response = client.post("/submit", data={"csrf_token": token, "text": TEXT})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Too many requests" in response.get_data(as_text=True)
    assert len(seeded.exec(select(Case)).all()) == 2


def test_tracking_lookups_are_rate_limited(limited_app, seeded):
    client = limited_app.test_client()
    statuses = [client.get(f"/track/CIV-0000-000{i}").status_code for i in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_login_attempts_are_rate_limited_per_address(limited_app, make_user):
    make_user("awa@sante.gouv.sn")
    client = limited_app.test_client()
    token = csrf_token(client.get("/officer/login").get_data(as_text=True))
    statuses = [client.post("/officer/login", data={"csrf_token": token, "email": "awa@sante.gouv.sn",
                                                    "password": "wrong wrong wrong"}).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    right = client.post("/officer/login",
                        data={"csrf_token": token, "email": "awa@sante.gouv.sn", "password": PASSWORD})
    assert right.status_code == 429


def test_the_honeypot_stops_bots_and_keeps_the_text_for_a_person(client, seeded):
    token = csrf_token(client.get("/submit").get_data(as_text=True))
    response = client.post("/submit", data={"csrf_token": token, "text": TEXT, "website": "http://spam.example"})
    assert response.status_code == 400 and TEXT in response.get_data(as_text=True)
    assert seeded.exec(select(Case)).first() is None


def test_oversized_requests_get_a_clear_413(client, seeded):
    response = client.post("/submit", data={"text": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)
    assert seeded.exec(select(Case)).first() is None


def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/submit").headers
    assert "max-age=" in client.get("/submit", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_production_cookies_are_secure(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICLY_ENV", "production")
    monkeypatch.setenv("CIVICLY_SECRET_KEY", "x" * 64)
    app = create_app({"DATABASE_URL": database_url, "MODEL_DIR": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    from civicly.config import ConfigError

    monkeypatch.setenv("CIVICLY_ENV", "production")
    monkeypatch.delenv("CIVICLY_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"MODEL_DIR": str(tmp_path)})
