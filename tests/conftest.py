"""Shared fixtures: a fresh real database per test (SQLite always, PostgreSQL when configured), app, client, runner."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from civicly import create_app, migrate
from civicly.db import make_engine

PG_URL = os.environ.get("CIVICLY_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
MODEL_SIGNING_KEY = "test-model-signing-key-kept-out-of-the-model-folder"  # signs and checks the test apps' models
CSRF_FIELD = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@pytest.fixture(autouse=True, scope="session")
def light_argon2():
    """Real argon2id, with light parameters so the suite does not spend minutes hashing test passwords."""
    from argon2 import PasswordHasher

    from civicly.triage import accounts

    strong = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    accounts._DUMMY_HASH = accounts._hasher.hash("civicly-timing-equaliser")
    yield
    accounts._hasher = strong


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "civicly.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The CI PostgreSQL, wiped and migrated once per run."""
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(PG_URL)
    return PG_URL


def _truncate_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename != 'alembic_version'"
        )).scalars().all()
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "civicly.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "MODEL_DIR": str(tmp_path / "models"),
        "MODEL_SIGNING_KEY": MODEL_SIGNING_KEY,
        "STORAGE_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": False,
        "DEFAULT_LOCALE": "en",
    })
    yield app
    app.extensions["civicly.engine"].dispose()


@pytest.fixture
def session(app):
    """A session on the test database, outside any app context, so each client request gets its own (as in
    production)."""
    from sqlmodel import Session

    with Session(app.extensions["civicly.engine"], expire_on_commit=False) as db_session:
        yield db_session


@pytest.fixture
def seeded(session):
    """The demo ministries."""
    from civicly.triage.departments import seed_from_file

    seed_from_file(session)
    session.commit()
    return session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


PASSWORD = "correct horse battery staple"
ACTOR = "cli:tests"  # who the administration audit says made the accounts of the tests


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the authenticator app of every admin make_user creates


def enrol_second_factor(app, session, user, secret: str = TOTP_SECRET) -> list[str]:
    """Set up ``secret`` as ``user``'s second factor through the real service; its recovery codes."""
    import pyotp

    from civicly.triage import second_factor

    with app.app_context():
        codes = second_factor.enrol(session, user, secret, pyotp.TOTP(secret).now())
    user.totp_last_step = None  # the set-up code is not spent, so a sign-in in the same 30 s can use it
    session.add(user)
    session.commit()
    return codes


def next_code(app, email: str, secret: str = TOTP_SECRET) -> str:
    """A code the server accepts now for ``email``: the current step's, or the next one's if it was just used."""
    import time

    import pyotp
    from sqlmodel import Session, select

    from civicly.models import User

    with Session(app.extensions["civicly.engine"]) as fresh:
        last = fresh.exec(select(User.totp_last_step).where(User.email == email)).one()
    totp = pyotp.TOTP(secret)
    step = int(time.time() // totp.interval)
    if last is not None and last >= step:
        step = last + 1
    return totp.generate_otp(step)


@pytest.fixture
def make_user(app, seeded):
    """Create an account: make_user("a@gov.sn", "officer", ["SANTE"]). Admins get TOTP_SECRET as second factor."""
    from civicly.models import Role
    from civicly.triage.accounts import create_user

    def _make(email: str, role: str = "officer", departments=("SANTE",)):
        user = create_user(seeded, email, PASSWORD, Role(role), departments, actor=ACTOR)
        seeded.commit()
        if role == Role.admin.value:
            enrol_second_factor(app, seeded, user)
        return user

    return _make


def sign_in(app, client, email: str, password: str = PASSWORD):
    """Through the real forms (CSRF included): the password, then a code when the server asks for one."""
    page = client.get("/officer/login").get_data(as_text=True)
    response = client.post("/officer/login",
                           data={"csrf_token": csrf_token(page), "email": email, "password": password})
    if response.status_code == 303 and response.headers["Location"].endswith("/officer/login/code"):
        page = client.get("/officer/login/code").get_data(as_text=True)
        response = client.post("/officer/login/code", data={"csrf_token": csrf_token(page),
                                                            "code": next_code(app, email)})
    return response


@pytest.fixture
def login_as(app, client):
    """Sign the test client in, admins with their code too."""

    def _login(email: str, password: str = PASSWORD):
        response = sign_in(app, client, email, password)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return response

    return _login


def file_case(session, text: str = "The health centre in Kaolack has had no doctor for two weeks.",
              department: str = "SANTE", **fields):
    """A case sent to ``department`` by its sender (no model needed), committed as a request would."""
    from civicly.triage.intake import SubmissionInput, submit

    case = submit(session, SubmissionInput(text=text, department_code=department or "", **fields),
                  route=lambda _t: None)
    session.commit()
    return case


# One Chromium for the whole run (tests/browser, tests/sso): Playwright's sync API runs one instance per process.
CHROMIUM = os.environ.get("CIVICLY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium package.")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
