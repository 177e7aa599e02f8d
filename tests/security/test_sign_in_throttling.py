"""Throttling that fits an office: a ministry behind one address signs in at 8 a.m.; guessing one account is slowed."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from civicly.extensions import limiter
from civicly.models import User
from civicly.models.timestamps import utcnow
from civicly.triage import accounts
from tests.conftest import ACTOR, PASSWORD, csrf_token

OFFICERS = 200


@pytest.fixture
def office_app(app, tmp_path):
    """The test app with rate limiting on, at the shipped per-address figure, counting in memory."""
    from civicly.config import load_settings

    shipped = load_settings(tmp_path, environ={"CIVICLY_SECRET_KEY": "k"})["LOGIN_RATE_LIMIT"]
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", LOGIN_RATE_LIMIT=shipped)
    limiter.init_app(app)
    yield app
    limiter.reset()
    limiter.init_app(app)


def post_password(client, email: str, password: str = PASSWORD):
    token = csrf_token(client.get("/officer/login").get_data(as_text=True))
    return client.post("/officer/login", data={"csrf_token": token, "email": email, "password": password})


def test_two_hundred_officers_behind_one_address_all_sign_in_within_a_minute(office_app, seeded):
    for i in range(OFFICERS):
        accounts.create_user(seeded, f"officer{i}@sante.gouv.sn", PASSWORD, accounts.Role.officer, ["SANTE"],
                             actor=ACTOR)
    seeded.commit()
    statuses = []
    for i in range(OFFICERS):  # each from its own browser, all from the same address (the test client's)
        client = office_app.test_client()
        statuses.append(post_password(client, f"officer{i}@sante.gouv.sn").status_code)
        assert client.get("/officer/queue").status_code == 200
    assert statuses == [303] * OFFICERS


def test_ten_wrong_passwords_on_one_account_are_throttled(office_app, make_user, session):
    make_user("awa@sante.gouv.sn")
    client = office_app.test_client()
    statuses = [post_password(client, "awa@sante.gouv.sn", "wrong wrong wrong").status_code for _ in range(9)]
    assert statuses == [401] * 9
    assert post_password(client, "awa@sante.gouv.sn").status_code == 401  # the 10th, right, refused during the lock
    session.expire_all()
    user = session.exec(select(User).where(User.email == "awa@sante.gouv.sn")).one()
    assert user.failed_logins == accounts.MAX_FAILURES  # attempts during the lock are not even checked
    assert timedelta(seconds=50) < user.locked_until - utcnow() <= accounts.FIRST_LOCK
    assert post_password(office_app.test_client(), "someone.else@sante.gouv.sn").status_code == 401


def test_the_lock_doubles_from_one_minute_up_to_an_hour():
    durations = [accounts.lock_duration(n) for n in range(3, 13)]
    assert [d.total_seconds() / 60 for d in durations] == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert accounts.lock_duration(10_000) == accounts.LONGEST_LOCK


def test_each_failure_after_a_lock_expires_locks_for_longer(make_user, seeded):
    user = make_user("awa@sante.gouv.sn")
    for _ in range(accounts.MAX_FAILURES):
        accounts.authenticate(seeded, "awa@sante.gouv.sn", "wrong wrong wrong")
    user.locked_until = utcnow() - timedelta(seconds=1)  # the first lock has run out
    seeded.add(user)
    seeded.commit()
    assert accounts.authenticate(seeded, "awa@sante.gouv.sn", "wrong wrong wrong") is None
    seeded.refresh(user)
    assert timedelta(seconds=110) < user.locked_until - utcnow() <= timedelta(minutes=2)


def test_concurrent_failures_are_all_counted(app, make_user, database_url):
    """Each failure is one UPDATE … SET failed_logins = failed_logins + 1: none is lost when they arrive together."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's concurrent transactions")
    user_id = make_user("awa@sante.gouv.sn").id
    engine = app.extensions["civicly.engine"]
    attempts = 40

    def fail_once(_: int) -> None:
        with Session(engine) as own:
            accounts.record_failure(own, own.get(User, user_id))
            own.commit()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fail_once, range(attempts)))
    with Session(engine) as fresh:
        assert fresh.get(User, user_id).failed_logins == attempts
