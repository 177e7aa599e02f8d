"""The second factor: time-based codes (TOTP, RFC 6238) from an authenticator app, and single-use recovery codes.

The TOTP secret is stored encrypted (Fernet) with a key derived from SECRET_KEY, so a copy of the database alone
does not give the codes; changing SECRET_KEY therefore makes every enrolled secret unreadable, and each enrolled
officer then needs ``civicly users reset-2fa`` and a new enrolment. The last time step accepted is kept so that a
code is used once; recovery codes are kept as sha256 digests (each is 80 random bits, so a fast hash is enough).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from civicly.errors import CivicError
from civicly.models import RecoveryCode, Role, User
from civicly.models.timestamps import utcnow
from civicly.triage import accounts, admin_audit, sessions

ISSUER = "Civicly"
RECOVERY_CODE_COUNT = 10
VALID_WINDOW = 1  # one 30-second step either side, for phones whose clock drifts a little
TOTP_DIGITS = 6


class InvalidCode(CivicError):
    """The code does not match the secret being set up."""


class AlreadyEnrolled(CivicError):
    """The account already has a second factor; an admin resets it before a new one is set up."""


def required(user: User, policy: str) -> bool:
    """Whether ``user`` may not sign in without a second factor: admins always, everyone with policy ``all``."""
    return user.role == Role.admin.value or policy == "all"


def enrolled(user: User) -> bool:
    return user.totp_secret is not None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def enrol(session: Session, user: User, secret: str, code: str) -> list[str]:
    """Set up ``secret`` once the officer proves their app has it (``code``); the recovery codes, shown only now."""
    if enrolled(user):
        raise AlreadyEnrolled("This account already has a second factor.")
    step = _matching_step(secret, _normalise(code))
    if step is None:
        raise InvalidCode("The code does not match.")
    user.totp_secret = _fernet().encrypt(secret.encode()).decode()
    user.totp_last_step, user.totp_enrolled_at = step, utcnow()
    session.add(user)
    codes = _new_recovery_codes(session, user)
    admin_audit.record(session, user.email, "user.2fa_enrol", user.email)
    return codes


def verify(session: Session, user: User, code: str) -> bool:
    """Whether ``code`` (from the app, or a recovery code) proves the second factor now; each is accepted once.

    A wrong code counts as a failed sign-in (accounts.record_failure); a locked account whose lock can no longer be
    lifted refuses every code.
    """
    if not enrolled(user) or (accounts.is_locked(user) and not accounts.lock_liftable(user)):
        return False
    code = _normalise(code)
    accepted = _use_totp(session, user, code) if _looks_like_totp(code) else _use_recovery_code(session, user, code)
    if not accepted:
        accounts.record_failure(session, user)
    return accepted


def remaining_recovery_codes(session: Session, user: User) -> int:
    return session.exec(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None))).one()


def reset(session: Session, email: str, actor: str) -> User:
    """Remove the second factor of ``email`` (lost phone): the next sign-in sets up a new one if it is required."""
    user = accounts.get_user(session, email)
    admin_audit.record(session, actor, "user.2fa_reset", user.email, was_enrolled=enrolled(user))
    user.totp_secret, user.totp_last_step, user.totp_enrolled_at = None, None, None
    session.add(user)
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    session.flush()
    sessions.revoke_all_for(session, user)  # whoever holds the lost phone's sessions is out too
    return user


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _looks_like_totp(code: str) -> bool:
    return len(code) == TOTP_DIGITS and code.isdigit()


def _matching_step(secret: str, code: str, after: int | None = None) -> int | None:
    """The time step, within the window around now and later than ``after``, whose code is ``code``."""
    if not _looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time() // totp.interval)
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_totp(session: Session, user: User, code: str) -> bool:
    try:
        secret = _fernet().decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        current_app.logger.error("User %s has a second-factor secret this SECRET_KEY cannot read: reset it", user.id)
        return False
    step = _matching_step(secret, code, after=user.totp_last_step)
    if step is None:
        return False
    # Conditional UPDATE: of two requests replaying the same code at once, only one moves the step forward.
    moved = session.execute(
        update(User).where(col(User.id) == user.id)
        .where(or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)
    ).rowcount
    session.expire(user, ["totp_last_step"])
    return moved == 1


def _use_recovery_code(session: Session, user: User, code: str) -> bool:
    used = session.execute(
        update(RecoveryCode).where(col(RecoveryCode.user_id) == user.id, col(RecoveryCode.code_hash) == _digest(code),
                                   col(RecoveryCode.used_at).is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        return False
    admin_audit.record(session, user.email, "user.2fa_recovery_used", user.email,
                       remaining=remaining_recovery_codes(session, user))
    return True


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(10)
        codes.append("-".join(raw[i:i + 5] for i in range(0, len(raw), 5)))
        session.add(RecoveryCode(user_id=user.id, code_hash=_digest(raw)))
    session.flush()
    return codes


def _digest(normalised_code: str) -> str:
    return hashlib.sha256(normalised_code.encode()).hexdigest()


def _fernet() -> Fernet:
    """The cipher for TOTP secrets: its key derived from SECRET_KEY for this purpose only."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"civicly.second-factor.v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))
