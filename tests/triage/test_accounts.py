"""triage.accounts: argon2 hashes, password policy, sign-in with lock-out."""
import pytest

from civicly.models import Role
from civicly.triage import accounts
from tests.conftest import ACTOR, PASSWORD


def test_passwords_are_stored_as_argon2_hashes(make_user):
    user = make_user("awa@sante.gouv.sn")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize("password", ["short", "password1234", "azertyuiop", "aaaaaaaaaaaaaaaa", "motdepasse2024"])
def test_weak_passwords_are_refused(seeded, password):
    with pytest.raises(accounts.WeakPassword):
        accounts.create_user(seeded, "x@gov.ml", password, Role.triage, actor=ACTOR)


def test_an_officer_needs_a_ministry(seeded):
    with pytest.raises(accounts.AccountError, match="ministry"):
        accounts.create_user(seeded, "x@gov.ml", PASSWORD, Role.officer, [], actor=ACTOR)


def test_sign_in_checks_password_and_locks_after_repeated_failures(make_user, seeded):
    make_user("awa@sante.gouv.sn")
    assert accounts.authenticate(seeded, "AWA@sante.gouv.sn ", PASSWORD) is not None
    for _ in range(accounts.MAX_FAILURES):
        assert accounts.authenticate(seeded, "awa@sante.gouv.sn", "wrong password!") is None
    assert accounts.authenticate(seeded, "awa@sante.gouv.sn", PASSWORD) is None  # locked, even with the right one
    accounts.set_password(seeded, "awa@sante.gouv.sn", "another long passphrase", actor=ACTOR)
    assert accounts.authenticate(seeded, "awa@sante.gouv.sn", "another long passphrase") is not None


def test_disabled_accounts_cannot_sign_in(make_user, seeded):
    make_user("awa@sante.gouv.sn")
    accounts.set_active(seeded, "awa@sante.gouv.sn", False, actor=ACTOR)
    assert accounts.authenticate(seeded, "awa@sante.gouv.sn", PASSWORD) is None
