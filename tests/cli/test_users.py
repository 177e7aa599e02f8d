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
