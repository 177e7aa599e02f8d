"""civicly apikeys: a key is printed once, listed by its prefix, revoked by prefix or name."""
from civicly.cli.apikeys import apikeys
from civicly.triage import apikeys as keys


def test_cli_creates_lists_and_revokes_keys(runner, session):
    created = runner.invoke(apikeys, ["create", "FixMyStreet"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    prefix = secret[:keys.PREFIX_LEN]
    listing = runner.invoke(apikeys, ["list"]).output
    assert f"{prefix}\tFixMyStreet\t" in listing and "never used" in listing and secret not in listing

    revoked = runner.invoke(apikeys, ["revoke", prefix])
    assert revoked.exit_code == 0 and f"Revoked {prefix}" in revoked.output
    assert "revoked" in runner.invoke(apikeys, ["list"]).output
    assert keys.authenticate(session, secret) is None
    again = runner.invoke(apikeys, ["revoke", prefix])
    assert again.exit_code == 1 and "No active key" in again.output


def test_cli_refuses_an_empty_name(runner, session):
    result = runner.invoke(apikeys, ["create", "  "])
    assert result.exit_code == 1 and "name" in result.output


def test_the_command_is_part_of_civicly():
    from civicly.cli import main

    assert "apikeys" in main.commands
