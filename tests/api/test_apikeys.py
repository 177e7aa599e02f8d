"""API keys: shown once, stored as a hash, listed by prefix, revoked by prefix or name."""
import hashlib

from sqlmodel import select

from civicly.apikeys_cli import apikeys_group
from civicly.models import ApiKey
from civicly.triage import apikeys


def test_a_key_is_stored_only_as_its_sha256(session):
    issued = apikeys.create_key(session, "City app")
    stored = session.exec(select(ApiKey)).one()
    assert stored.key_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in (stored.key_hash, stored.prefix) and issued.secret.startswith(stored.prefix)
    assert apikeys.authenticate(session, issued.secret) is stored
    assert apikeys.authenticate(session, issued.secret + "x") is None


def test_cli_creates_lists_and_revokes_keys(runner, session):
    created = runner.invoke(apikeys_group, ["create", "FixMyStreet"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    prefix = secret[:apikeys.PREFIX_LEN]
    listing = runner.invoke(apikeys_group, ["list"]).output
    assert f"{prefix}\tFixMyStreet\t" in listing and "never used" in listing and secret not in listing

    revoked = runner.invoke(apikeys_group, ["revoke", prefix])
    assert revoked.exit_code == 0 and f"Revoked {prefix}" in revoked.output
    assert "revoked" in runner.invoke(apikeys_group, ["list"]).output
    assert apikeys.authenticate(session, secret) is None
    again = runner.invoke(apikeys_group, ["revoke", prefix])
    assert again.exit_code == 1 and "No active key" in again.output


def test_cli_refuses_an_empty_name(runner, session):
    result = runner.invoke(apikeys_group, ["create", "  "])
    assert result.exit_code == 1 and "name" in result.output


def test_the_command_is_part_of_civicly():
    from civicly.cli import main

    assert "apikeys" in main.commands
