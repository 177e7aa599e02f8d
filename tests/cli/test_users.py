"""civicly users: accounts from the command line, passwords never on the command line."""
from sqlmodel import select

from civicly.cli.users import users
from civicly.models import AdminAction
from civicly.triage import sessions
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


def test_every_account_change_is_audited_without_the_password(runner, seeded, committed):
    def run(*args, **kwargs):
        result = runner.invoke(users, list(args), **kwargs)
        assert result.exit_code == 0, result.output
        return result.output

    run("create", "awa@sante.gouv.sn", "--department", "SANTE", "--password-stdin", input=PASSWORD + "\n")
    run("set-password", "awa@sante.gouv.sn", "--password-stdin", input="a brand new passphrase\n")
    assert run("add-department", "awa@sante.gouv.sn", "education") == "awa@sante.gouv.sn now works for EDUCATION.\n"
    run("remove-department", "awa@sante.gouv.sn", "SANTE")
    assert run("set-role", "awa@sante.gouv.sn", "triage") == "awa@sante.gouv.sn is now triage.\n"
    assert "nothing changed" in run("set-role", "awa@sante.gouv.sn", "triage")
    run("disable", "awa@sante.gouv.sn")
    run("enable", "awa@sante.gouv.sn")
    assert runner.invoke(users, ["list"]).output == "awa@sante.gouv.sn\ttriage\tEDUCATION\n"

    entries = committed(select(AdminAction).order_by(AdminAction.id))
    assert [(e.action, e.target) for e in entries] == [
        ("user.create", "awa@sante.gouv.sn"), ("user.password", "awa@sante.gouv.sn"),
        ("user.department.add", "awa@sante.gouv.sn"), ("user.department.remove", "awa@sante.gouv.sn"),
        ("user.role", "awa@sante.gouv.sn"), ("user.disable", "awa@sante.gouv.sn"),
        ("user.enable", "awa@sante.gouv.sn")]
    assert entries[0].details == {"role": "officer", "departments": ["SANTE"]}
    assert entries[4].details == {"before": "officer", "after": "triage", "sessions_ended": 0}
    assert all(e.actor.startswith("cli:") and e.address == "cli" for e in entries)
    assert not any(secret in str(e.details) for e in entries for secret in (PASSWORD, "a brand new passphrase"))


def test_an_officer_keeps_at_least_one_ministry(runner, make_user):
    make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    result = runner.invoke(users, ["remove-department", "awa@sante.gouv.sn", "SANTE"])
    assert result.exit_code == 1 and "at least one ministry" in result.output
    make_user("tri@gov.sn", "triage", [])
    result = runner.invoke(users, ["set-role", "tri@gov.sn", "officer"])
    assert result.exit_code == 1 and "at least one ministry" in result.output


def test_sessions_are_listed_and_signed_out_from_the_command_line(app, runner, make_user, seeded, committed):
    awa, ali = make_user("awa@sante.gouv.sn"), make_user("ali@education.gouv.sn", "officer", ["EDUCATION"])
    policy = sessions.SessionPolicy.from_config(app.config)
    first = sessions.open_session(seeded, awa, policy, address="198.51.100.7", user_agent="Firefox/128")[1]
    sessions.open_session(seeded, awa, policy, address="198.51.100.8", user_agent="Chrome/130")
    other = sessions.open_session(seeded, ali, policy)[1]
    seeded.commit()

    listing = runner.invoke(users, ["sessions", "awa@sante.gouv.sn"]).output.splitlines()
    assert len(listing) == 2 and {line.split("\t")[-1] for line in listing} == {"Firefox/128", "Chrome/130"}
    assert {line.split("\t")[-2] for line in listing} == {"198.51.100.7", "198.51.100.8"}

    refused = runner.invoke(users, ["sign-out", "awa@sante.gouv.sn", "--session", str(other.id)])
    assert refused.exit_code == 1 and f"has no session {other.id}" in refused.output
    one = runner.invoke(users, ["sign-out", "awa@sante.gouv.sn", "--session", str(first.id)])
    assert one.output == "Ended 1 session(s) of awa@sante.gouv.sn.\n"
    assert len(runner.invoke(users, ["sessions", "awa@sante.gouv.sn"]).output.splitlines()) == 1
    everywhere = runner.invoke(users, ["sign-out", "awa@sante.gouv.sn"])
    assert everywhere.output == "Ended 1 session(s) of awa@sante.gouv.sn.\n"
    assert runner.invoke(users, ["sessions", "awa@sante.gouv.sn"]).output == ""
    assert len(runner.invoke(users, ["sessions", "ali@education.gouv.sn"]).output.splitlines()) == 1

    audit = committed(select(AdminAction).where(AdminAction.action == "user.sign_out").order_by(AdminAction.id))
    assert [e.details for e in audit] == [{"session_id": first.id, "sessions_ended": 1},
                                          {"session_id": None, "sessions_ended": 1}]


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
    entries = committed(select(AdminAction).where(AdminAction.action.in_(["user.unlock", "user.2fa_reset"]))
                        .order_by(AdminAction.id))
    assert [(e.action, e.target, e.actor.startswith("cli:"), e.details) for e in entries] == [
        ("user.unlock", "root@gov.sn", True, {"failed_logins": 5, "was_locked": True}),
        ("user.2fa_reset", "root@gov.sn", True, {"was_enrolled": True}),
    ]
    unknown = runner.invoke(users, ["reset-2fa", "nobody@gov.sn"])
    assert unknown.exit_code == 1 and "No user has e-mail" in unknown.output
