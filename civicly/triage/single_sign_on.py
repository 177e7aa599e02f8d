"""Which Civicly account an identity proved by the ministry's OpenID provider may use.

Single sign-on never creates an account: an administrator creates it (role, ministries) as for password sign-in,
and the provider's verified e-mail address picks it.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from civicly.errors import CivicError
from civicly.models import User
from civicly.models.timestamps import utcnow
from civicly.triage.accounts import normalise_email


class SignOnRefused(CivicError):
    """The provider vouched for someone who may not sign in here; the message (translated) says why."""


def account_for_identity(session: Session, claims: Mapping[str, Any]) -> User:
    """The active account whose e-mail address the provider has verified, recorded as signed in now.

    An unverified address proves nothing (many providers let people type any address), so it is refused before
    any lookup. Unknown and disabled accounts get the same answer, which does not say which accounts exist.
    """
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str) or "@" not in email:
        raise SignOnRefused(str(_l("Your sign-in service has not confirmed your e-mail address, so Civicly cannot "
                                   "tell which account is yours. Ask its administrators, or sign in with your "
                                   "password.")))
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None or not user.active:
        raise SignOnRefused(str(_l("No active Civicly account has the e-mail address your sign-in service gave. "
                                   "Ask a Civicly administrator to create or enable your account.")))
    user.last_login_at = utcnow()
    session.add(user)
    return user
