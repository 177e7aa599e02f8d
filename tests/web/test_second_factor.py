"""Signing in with a second factor: admins never get a session from a password alone; codes are used once."""
import re

import pyotp
from sqlmodel import select

from civicly.models import AdminAction, Role, User
from civicly.triage import accounts
from tests.conftest import ACTOR, PASSWORD, TOTP_SECRET, csrf_token, enrol_second_factor, next_code

SECRET_TEXT = re.compile(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>')


def post_password(client, email: str, password: str = PASSWORD, next_url: str = ""):
    page = client.get("/officer/login").get_data(as_text=True)
    url = f"/officer/login?next={next_url}" if next_url else "/officer/login"
    return client.post(url, data={"csrf_token": csrf_token(page), "email": email, "password": password})


def post_code(client, code: str, url: str = "/officer/login/code"):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), "code": code})


def signed_in(client) -> bool:
    return client.get("/officer/queue").status_code == 200


def audit_actions(session, action: str) -> list[AdminAction]:
    session.expire_all()
    return session.exec(select(AdminAction).where(AdminAction.action == action)).all()


def test_an_admin_without_a_second_factor_sets_one_up_before_the_session_opens(app, client, seeded, session):
    accounts.create_user(seeded, "root@gov.sn", PASSWORD, Role.admin, actor=ACTOR)
    seeded.commit()
    response = post_password(client, "root@gov.sn", next_url="/officer/triage")
    assert response.status_code == 303 and response.headers["Location"].endswith("/officer/login/enrol")
    assert not signed_in(client)

    page = client.get("/officer/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn on the server
    secret = SECRET_TEXT.search(page).group(1).replace(" ", "")
    wrong = post_code(client, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111", "/officer/login/enrol")
    assert wrong.status_code == 400 and "does not match" in wrong.get_data(as_text=True)
    assert not signed_in(client)

    done = post_code(client, pyotp.TOTP(secret).now(), "/officer/login/enrol")
    assert done.status_code == 303 and "/officer/account/recovery-codes" in done.headers["Location"]
    codes_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert len(re.findall(r"<li><code>[0-9a-f]{5}-[0-9a-f]{5}-[0-9a-f]{5}-[0-9a-f]{5}</code></li>", codes_page)) == 10
    assert 'href="/officer/triage"' in codes_page
    assert client.get("/officer/account/recovery-codes").status_code == 303  # shown once
    assert signed_in(client)
    admin = session.exec(select(User).where(User.email == "root@gov.sn")).one()
    assert admin.totp_secret and secret not in admin.totp_secret  # encrypted at rest
    assert [entry.target for entry in audit_actions(session, "user.2fa_enrol")] == ["root@gov.sn"]


def test_an_enrolled_admin_is_asked_for_the_code_and_a_replayed_code_is_refused(app, client, make_user):
    make_user("root@gov.sn", "admin", [])
    response = post_password(client, "root@gov.sn")
    assert response.headers["Location"].endswith("/officer/login/code")
    assert not signed_in(client)
    code = next_code(app, "root@gov.sn")
    assert post_code(client, code).status_code == 303
    assert signed_in(client)

    thief = app.test_client()
    assert post_password(thief, "root@gov.sn").status_code == 303
    replay = post_code(thief, code)
    assert replay.status_code == 401 and "already been used" in replay.get_data(as_text=True)
    assert not signed_in(thief)


def test_a_recovery_code_signs_in_once(app, seeded, session, make_user):
    user = accounts.create_user(seeded, "awa@sante.gouv.sn", PASSWORD, Role.officer, ["SANTE"], actor=ACTOR)
    seeded.commit()
    codes = enrol_second_factor(app, seeded, user, pyotp.random_base32())
    first, second = app.test_client(), app.test_client()
    post_password(first, "awa@sante.gouv.sn")
    assert post_code(first, codes[0].upper().replace("-", " ")).status_code == 303  # as typed from paper
    assert signed_in(first)
    post_password(second, "awa@sante.gouv.sn")
    assert post_code(second, codes[0]).status_code == 401
    assert not signed_in(second)
    entries = audit_actions(session, "user.2fa_recovery_used")
    assert [(e.target, e.details) for e in entries] == [("awa@sante.gouv.sn", {"remaining": 9})]


def test_officers_go_straight_in_unless_every_account_must_have_a_second_factor(app, make_user):
    make_user("awa@sante.gouv.sn")
    make_user("ali@sante.gouv.sn")
    client = app.test_client()
    assert post_password(client, "awa@sante.gouv.sn").headers["Location"].endswith("/officer/queue")
    assert signed_in(client)

    app.config["REQUIRE_2FA"] = "all"
    client = app.test_client()
    response = post_password(client, "ali@sante.gouv.sn")
    assert response.headers["Location"].endswith("/officer/login/enrol")
    assert not signed_in(client)


def test_an_officer_sets_up_a_second_factor_from_their_account_page(app, client, make_user, login_as):
    make_user("awa@sante.gouv.sn")
    login_as("awa@sante.gouv.sn")
    assert "/officer/account/second-factor" in client.get("/officer/account").get_data(as_text=True)
    secret = SECRET_TEXT.search(client.get("/officer/account/second-factor").get_data(as_text=True)).group(1)
    secret = secret.replace(" ", "")
    done = post_code(client, pyotp.TOTP(secret).now(), "/officer/account/second-factor")
    assert done.status_code == 303
    assert client.get(done.headers["Location"]).status_code == 200
    assert "10 recovery codes left" in client.get("/officer/account").get_data(as_text=True)

    later = app.test_client()
    assert post_password(later, "awa@sante.gouv.sn").headers["Location"].endswith("/officer/login/code")
    assert not signed_in(later)


def test_a_pending_sign_in_expires(app, client, make_user):
    make_user("root@gov.sn", "admin", [])
    post_password(client, "root@gov.sn")
    token = csrf_token(client.get("/officer/login/code").get_data(as_text=True))
    with client.session_transaction() as cookie_session:
        cookie_session["civicly.pending_sign_in"] = {**cookie_session["civicly.pending_sign_in"], "until": 0}
    response = client.post("/officer/login/code", data={"csrf_token": token, "code": next_code(app, "root@gov.sn")})
    assert response.status_code == 303 and response.headers["Location"].endswith("/officer/login")
    assert not signed_in(client)


def test_password_and_code_lift_a_lock_that_a_password_alone_cannot(app, make_user, session):
    make_user("root@gov.sn", "admin", [])
    make_user("awa@sante.gouv.sn")
    for email in ("root@gov.sn", "awa@sante.gouv.sn"):
        for _ in range(accounts.MAX_FAILURES):
            assert post_password(app.test_client(), email, "wrong wrong wrong").status_code == 401
    assert post_password(app.test_client(), "awa@sante.gouv.sn").status_code == 401  # no second factor: locked

    client = app.test_client()
    assert post_password(client, "root@gov.sn").headers["Location"].endswith("/officer/login/code")
    assert post_code(client, next_code(app, "root@gov.sn")).status_code == 303
    assert signed_in(client)
    session.expire_all()
    admin = session.exec(select(User).where(User.email == "root@gov.sn")).one()
    assert (admin.failed_logins, admin.locked_until) == (0, None)


def test_wrong_codes_count_until_only_time_or_an_admin_lifts_the_lock(app, make_user, session):
    make_user("root@gov.sn", "admin", [])
    client = app.test_client()
    post_password(client, "root@gov.sn")
    wrong = "000000" if pyotp.TOTP(TOTP_SECRET).now() != "000000" else "111111"
    for _ in range(accounts.LIFTABLE_FAILURES):
        assert post_code(client, wrong).status_code == 401
    assert post_code(client, next_code(app, "root@gov.sn")).status_code == 401
    assert post_password(app.test_client(), "root@gov.sn").status_code == 401
    session.expire_all()
    assert session.exec(select(User.failed_logins).where(User.email == "root@gov.sn")).one() == 10


def test_sign_in_logs_no_email_address(app, client, make_user, caplog):
    make_user("root@gov.sn", "admin", [])
    with caplog.at_level("DEBUG"):
        post_password(client, "root@gov.sn", "wrong wrong wrong")
        post_password(client, "root@gov.sn")
        post_code(client, next_code(app, "root@gov.sn"))
    assert signed_in(client)
    assert "root@gov.sn" not in caplog.text and "root%40gov.sn" not in caplog.text
