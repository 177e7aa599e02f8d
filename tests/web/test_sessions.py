"""Officers' sessions live on the server: sign-out, timeouts and account changes end them, whatever the browser
kept; the cookie is Secure over HTTPS and __Host- in production."""
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from civicly import create_app
from civicly.config import load_settings
from civicly.models import UserSession
from civicly.models.timestamps import utcnow
from civicly.triage import accounts
from tests.conftest import ACTOR, PASSWORD, csrf_token, file_case

COOKIE = "session"
QUEUE = "/officer/queue"


@pytest.fixture
def awa(make_user, seeded):
    make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    return file_case(seeded, "The clinic is out of malaria tests.", email="fatou@example.sn")


def signed_in(response) -> bool:
    return response.status_code == 200


def sent_to_login(response) -> bool:
    return response.status_code == 302 and "/officer/login" in response.headers["Location"]


def rows(app) -> list[UserSession]:
    with Session(app.extensions["civicly.engine"]) as fresh:
        return list(fresh.exec(select(UserSession).order_by(UserSession.id)).all())


def move_clock(app, **changes) -> None:
    """Age every session row: ``last_seen_at=timedelta(...)`` moves that timestamp back by so much."""
    with Session(app.extensions["civicly.engine"]) as fresh:
        for row in fresh.exec(select(UserSession)).all():
            for name, back in changes.items():
                setattr(row, name, getattr(row, name) - back)
            fresh.add(row)
        fresh.commit()


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, client, awa, login_as):
    login_as("awa@sante.gouv.sn")
    copied = client.get_cookie(COOKIE).value
    page = client.get(f"/officer/cases/{awa.reference}")
    assert signed_in(page) and "malaria tests" in page.get_data(as_text=True)

    response = client.post("/officer/logout", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 303
    assert rows(app)[0].revoked_at is not None

    replay = app.test_client()
    replay.set_cookie(COOKIE, copied)
    assert sent_to_login(replay.get(QUEUE))
    assert sent_to_login(replay.get(f"/officer/cases/{awa.reference}"))


def test_the_cookie_carries_a_random_session_id_whose_hash_alone_is_stored(app, client, awa, login_as):
    response = login_as("awa@sante.gouv.sn")
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))
    cookie = app.session_interface.get_signing_serializer(app).loads(client.get_cookie(COOKIE).value)
    token = cookie["_user_id"]
    assert len(token) >= 40
    (row,) = rows(app)
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert row.address == "127.0.0.1" and row.expires_at - row.created_at == timedelta(hours=12)


def test_each_sign_in_opens_its_own_session(app, client, awa, login_as):
    login_as("awa@sante.gouv.sn")
    login_as("awa@sante.gouv.sn")
    assert len({row.token_hash for row in rows(app)}) == 2


def test_idle_sessions_end_after_thirty_minutes(app, client, awa, login_as):
    login_as("awa@sante.gouv.sn")
    move_clock(app, last_seen_at=timedelta(minutes=29))
    assert signed_in(client.get(QUEUE))  # still in time, and counted as activity
    assert utcnow() - rows(app)[0].last_seen_at < timedelta(minutes=1)
    move_clock(app, last_seen_at=timedelta(minutes=31))
    assert sent_to_login(client.get(QUEUE))


def test_idle_timeout_is_configurable(database_url, tmp_path, awa, monkeypatch):
    monkeypatch.setenv("CIVICLY_SESSION_IDLE_MINUTES", "5")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "MODEL_DIR": str(tmp_path), "RATELIMIT_ENABLED": False, "DEFAULT_LOCALE": "en"})
    client = app.test_client()
    page = client.get("/officer/login").get_data(as_text=True)
    client.post("/officer/login", data={"csrf_token": csrf_token(page), "email": "awa@sante.gouv.sn",
                                        "password": PASSWORD})
    assert signed_in(client.get(QUEUE))
    move_clock(app, last_seen_at=timedelta(minutes=6))
    assert sent_to_login(client.get(QUEUE))
    app.extensions["civicly.engine"].dispose()


def test_sessions_end_twelve_hours_after_sign_in_even_when_active(app, client, awa, login_as):
    login_as("awa@sante.gouv.sn")
    move_clock(app, created_at=timedelta(hours=11, minutes=58), expires_at=timedelta(hours=11, minutes=58))
    assert signed_in(client.get(QUEUE))
    move_clock(app, created_at=timedelta(minutes=3), expires_at=timedelta(minutes=3))
    assert sent_to_login(client.get(QUEUE))


def test_last_seen_is_written_at_most_once_a_minute(app, client, awa, login_as):
    login_as("awa@sante.gouv.sn")
    move_clock(app, last_seen_at=timedelta(seconds=30))
    before = rows(app)[0].last_seen_at
    assert signed_in(client.get(QUEUE)) and signed_in(client.get(QUEUE))
    assert rows(app)[0].last_seen_at == before
    move_clock(app, last_seen_at=timedelta(seconds=40))
    assert signed_in(client.get(QUEUE))
    assert rows(app)[0].last_seen_at > before


@pytest.mark.parametrize("change", [
    lambda db: accounts.set_password(db, "awa@sante.gouv.sn", "a brand new passphrase", actor=ACTOR),
    lambda db: accounts.set_active(db, "awa@sante.gouv.sn", False, actor=ACTOR),
    lambda db: accounts.set_role(db, "awa@sante.gouv.sn", accounts.Role.triage, actor=ACTOR),
    lambda db: accounts.add_department(db, "awa@sante.gouv.sn", "EDUCATION", actor=ACTOR),
    lambda db: accounts.end_sessions(db, "awa@sante.gouv.sn", actor=ACTOR),
], ids=["password", "disable", "role", "department", "sign-out"])
def test_account_changes_end_every_session_of_the_account(app, client, awa, login_as, make_user, change):
    make_user("ali@education.gouv.sn", "officer", ["EDUCATION"])
    login_as("awa@sante.gouv.sn")
    other_browser = app.test_client()
    other_browser.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    login_as("awa@sante.gouv.sn")  # a second session of the same person
    colleague = app.test_client()
    page = colleague.get("/officer/login").get_data(as_text=True)
    colleague.post("/officer/login", data={"csrf_token": csrf_token(page), "email": "ali@education.gouv.sn",
                                           "password": PASSWORD})
    assert signed_in(client.get(QUEUE)) and signed_in(other_browser.get(QUEUE)) and signed_in(colleague.get(QUEUE))

    with Session(app.extensions["civicly.engine"]) as db:
        change(db)
        db.commit()

    assert sent_to_login(client.get(QUEUE)) and sent_to_login(other_browser.get(QUEUE))
    assert signed_in(colleague.get(QUEUE))  # nobody else is signed out


def test_after_a_password_change_the_new_password_opens_a_new_session(app, client, awa, login_as):
    login_as("awa@sante.gouv.sn")
    with Session(app.extensions["civicly.engine"]) as db:
        accounts.set_password(db, "awa@sante.gouv.sn", "a brand new passphrase", actor=ACTOR)
        db.commit()
    assert sent_to_login(client.get(QUEUE))
    login_as("awa@sante.gouv.sn", "a brand new passphrase")
    assert signed_in(client.get(f"/officer/cases/{awa.reference}"))


def test_a_cookie_from_before_server_side_sessions_opens_nothing(app, client, awa):
    """Cookies signed when they held the account's number (``_user_id`` = "1") are refused."""
    serializer = app.session_interface.get_signing_serializer(app)
    client.set_cookie(COOKIE, serializer.dumps({"_user_id": "1", "_fresh": True}))
    assert sent_to_login(client.get(QUEUE))


def test_production_cookie_is_host_prefixed_secure_and_works_over_https(database_url, tmp_path, awa, monkeypatch):
    monkeypatch.setenv("CIVICLY_ENV", "production")
    monkeypatch.setenv("CIVICLY_SECRET_KEY", "x" * 64)
    app = create_app({"DATABASE_URL": database_url, "MODEL_DIR": str(tmp_path), "RATELIMIT_ENABLED": False,
                      "DEFAULT_LOCALE": "en"})
    client = app.test_client()
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/officer/login"}}
    page = client.get("/officer/login", **https).get_data(as_text=True)
    response = client.post("/officer/login", data={"csrf_token": csrf_token(page), "email": "awa@sante.gouv.sn",
                                                   "password": PASSWORD}, **https)
    assert response.status_code == 303
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-session=")]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes and "domain" not in attributes
    assert "Path=/;" in cookie + ";" and "SameSite=Lax" in cookie
    case_page = client.get(f"/officer/cases/{awa.reference}", **https)
    assert case_page.status_code == 200 and "malaria tests" in case_page.get_data(as_text=True)
    app.extensions["civicly.engine"].dispose()


@pytest.mark.parametrize("environ, secure, name", [
    ({}, False, "session"),
    ({"CIVICLY_PUBLIC_URL": "https://civicly.example.gov"}, True, "session"),
    ({"CIVICLY_ENV": "production", "CIVICLY_SECRET_KEY": "x" * 64}, True, "__Host-session"),
], ids=["http", "https", "production"])
def test_the_cookie_is_secure_whenever_served_over_https(tmp_path, environ, secure, name):
    settings = load_settings(tmp_path, environ)
    assert (settings["SESSION_COOKIE_SECURE"], settings["SESSION_COOKIE_NAME"]) == (secure, name)
    assert settings["SESSION_COOKIE_HTTPONLY"] and settings["SESSION_COOKIE_PATH"] == "/"
