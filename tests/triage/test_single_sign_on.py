"""Which account an identity from the OpenID provider may use: only an active one, by verified e-mail."""
import pytest

from civicly.triage.single_sign_on import SignOnRefused, account_for_identity
from tests.conftest import ACTOR

EMAIL = "awa@sante.gouv.sn"


def test_verified_address_picks_the_account_whatever_its_case(make_user, session):
    user = make_user(EMAIL)
    found = account_for_identity(session, {"sub": "x1", "email": " Awa@Sante.Gouv.SN", "email_verified": True})
    assert found.id == user.id and found.last_login_at is not None


@pytest.mark.parametrize("claims", [
    {"sub": "x1", "email": EMAIL},  # no email_verified at all
    {"sub": "x1", "email": EMAIL, "email_verified": False},
    {"sub": "x1", "email": EMAIL, "email_verified": "true"},  # a string is not the boolean the standard asks for
    {"sub": "x1", "email_verified": True},  # no address
    {"sub": "x1", "email": ["awa@sante.gouv.sn"], "email_verified": True},
])
def test_unconfirmed_or_missing_address_is_refused(make_user, session, claims):
    make_user(EMAIL)
    with pytest.raises(SignOnRefused, match="has not confirmed your e-mail address"):
        account_for_identity(session, claims)


def test_unknown_and_disabled_accounts_get_the_same_answer(make_user, session):
    from civicly.triage.accounts import set_active

    make_user(EMAIL)
    set_active(session, EMAIL, False, actor=ACTOR)
    messages = set()
    for email in (EMAIL, "stranger@example.org"):
        with pytest.raises(SignOnRefused) as refused:
            account_for_identity(session, {"sub": "x", "email": email, "email_verified": True})
        messages.add(str(refused.value))
    assert len(messages) == 1 and "No active Civicly account" in messages.pop()
