"""civicly users: accounts from the command line, passwords never on the command line."""
from civicly.cli.users import users
from tests.conftest import PASSWORD


def test_create_list_disable_and_set_password(runner, seeded):
    result = runner.invoke(users, ["create", "Awa@Sante.gouv.sn", "--role", "officer", "--department", "SANTE",
                                   "--department", "SOLIDARITES", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert runner.invoke(users, ["list"]).output == "awa@sante.gouv.sn\tofficer\tSANTE,SOLIDARITES\n"
    assert runner.invoke(users, ["set-password", "awa@sante.gouv.sn", "--password-stdin"],
                         input="a brand new passphrase\n").exit_code == 0
    assert runner.invoke(users, ["disable", "awa@sante.gouv.sn"]).exit_code == 0
    assert runner.invoke(users, ["list"]).output.endswith("\tdisabled\n")


def test_weak_password_and_unknown_ministry_are_clear_errors(runner, seeded):
    weak = runner.invoke(users, ["create", "a@gov.sn", "--department", "SANTE", "--password-stdin"], input="password\n")
    assert weak.exit_code == 1 and "at least 12 characters" in weak.output
    unknown = runner.invoke(users, ["create", "a@gov.sn", "--department", "NOPE", "--password-stdin"],
                            input=PASSWORD + "\n")
    assert unknown.exit_code == 1 and "No ministry has code NOPE" in unknown.output


def test_password_prompt_asks_twice(runner, seeded):
    result = runner.invoke(users, ["create", "tri@gov.sn", "--role", "triage"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


def test_unlock_and_second_factor_reset_are_audited(app, runner, make_user, committed):
    from sqlmodel import select

    from civicly.models import AdminAction, RecoveryCode, User
    from civicly.triage import accounts

    make_user("root@gov.sn", "admin", [])
    with app.app_context():
        from civicly.db import get_session
        for _ in range(accounts.MAX_FAILURES):
            accounts.authenticate(get_session(), "root@gov.sn", "wrong wrong wrong")
        get_session().commit()
    assert runner.invoke(users, ["unlock", "Root@gov.sn"]).output == "Unlocked root@gov.sn.\n"
    assert runner.invoke(users, ["reset-2fa", "root@gov.sn"]).exit_code == 0
    user = committed(select(User).where(User.email == "root@gov.sn"))[0]
    assert (user.failed_logins, user.locked_until, user.totp_secret, user.totp_last_step) == (0, None, None, None)
    assert committed(select(RecoveryCode)) == []
    entries = committed(select(AdminAction).where(AdminAction.action != "user.2fa_enrol").order_by(AdminAction.id))
    assert [(e.action, e.target, e.actor.startswith("cli:"), e.details) for e in entries] == [
        ("user.unlock", "root@gov.sn", True, {"failed_logins": 5, "was_locked": True}),
        ("user.2fa_reset", "root@gov.sn", True, {"was_enrolled": True}),
    ]
    unknown = runner.invoke(users, ["reset-2fa", "nobody@gov.sn"])
    assert unknown.exit_code == 1 and "No user has e-mail" in unknown.output
