"""Officers' accounts: argon2 password hashes, a password policy, sign-in with a progressive lock-out, and the
administration of accounts; each change is recorded in the administration audit, and those that change what a person
may do (or prove who they are with) end that person's sessions.

Failures (wrong passwords, wrong second-factor codes) are counted per account in the database itself, so that
concurrent attempts on several workers all count. From MAX_FAILURES on, each failure locks the account for a time
that doubles from FIRST_LOCK up to LONGEST_LOCK: a stranger who knows an e-mail address can keep an officer out for
an hour at a time at most. For an officer with a second factor, the right password and a valid code lift the lock as
long as fewer than LIFTABLE_FAILURES failures were counted (beyond, guessing would no longer be slowed). An admin
lifts any lock with ``civicly users unlock``.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from civicly.errors import CivicError
from civicly.models import Department, Role, User, UserDepartment, UserSession
from civicly.models.timestamps import utcnow
from civicly.triage import admin_audit, sessions
from civicly.triage.departments import department_by_code, normalise_code

PASSWORD_MIN = 12
MAX_FAILURES = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
LIFTABLE_FAILURES = 10
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a wrong address costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("civicly-timing-equaliser")


class WeakPassword(CivicError):
    """The password fails the policy; the message says why."""


class AccountError(CivicError):
    """The account cannot be created or changed as asked."""


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS.read_text(encoding="utf-8").split())


def check_password_policy(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise WeakPassword(str(_l("Use at least %(min)d characters.", min=PASSWORD_MIN)))
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(password)) < 4 or any(
        lowered.startswith(common) and len(common) >= 6 and lowered[len(common):].isdigit()
        for common in _common_passwords()
    ):
        raise WeakPassword(str(_l("This password is too common or too simple; choose another one.")))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, email: str, password: str, role: Role, department_codes: Iterable[str] = (), *,
                actor: str) -> User:
    """A new account, recorded as created by ``actor`` (an administrator's e-mail, or admin_audit.cli_actor())."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"{email!r} is not an e-mail address.")
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise AccountError(f"A user with e-mail {email} already exists.")
    check_password_policy(password)
    departments = _departments(session, department_codes)
    if role == Role.officer and not departments:
        raise AccountError("An officer needs at least one ministry (--department CODE).")
    user = User(email=email, password_hash=_hasher.hash(password), role=role.value)
    session.add(user)
    session.flush()
    for department in departments:
        session.add(UserDepartment(user_id=user.id, department_id=department.id))
    admin_audit.record(session, actor, "user.create", email, role=role.value,
                       departments=sorted(department.code for department in departments))
    return user


def _departments(session: Session, codes: Iterable[str]) -> list[Department]:
    found = []
    for code in codes:
        department = department_by_code(session, code)
        if department is None:
            raise AccountError(f"No ministry has code {normalise_code(code)}.")
        found.append(department)
    return found


def get_user(session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise AccountError(f"No user has e-mail {normalise_email(email)}.")
    return user


def list_users(session: Session) -> list[tuple[User, list[str]]]:
    users = session.exec(select(User).order_by(User.email)).all()
    links = session.exec(select(UserDepartment.user_id, Department.code).join(Department)).all()
    codes: dict[int, list[str]] = {}
    for user_id, code in links:
        codes.setdefault(user_id, []).append(code)
    return [(user, sorted(codes.get(user.id, []))) for user in users]


def department_ids(session: Session, user: User) -> frozenset[int]:
    return frozenset(session.exec(select(UserDepartment.department_id).where(UserDepartment.user_id == user.id)).all())


def supervised_department_ids(session: Session, user: User) -> frozenset[int]:
    return frozenset(session.exec(select(UserDepartment.department_id).where(
        UserDepartment.user_id == user.id, col(UserDepartment.supervisor).is_(True))).all())


def set_supervisor(session: Session, email: str, code: str, supervisor: bool, *, actor: str) -> bool:
    """Make ``email`` a supervisor of ministry ``code`` (which they must work for), or no longer one; audited. False
    when nothing changed."""
    user = get_user(session, email)
    department = _departments(session, [code])[0]
    link = session.get(UserDepartment, (user.id, department.id))
    if link is None:
        raise AccountError(f"{user.email} does not work for {department.code}: add the ministry first.")
    if link.supervisor == supervisor:
        return False
    link.supervisor = supervisor
    session.add(link)
    admin_audit.record(session, actor, "user.supervisor", user.email, department=department.code,
                       supervisor=supervisor)
    return True


def set_password(session: Session, email: str, password: str, *, actor: str) -> User:
    """A new password (and any lock-out lifted); every session of the account ends, since one may have been opened
    with the old password."""
    user = get_user(session, email)
    check_password_policy(password)
    user.password_hash = _hasher.hash(password)
    _clear_failures(session, user)
    ended = sessions.revoke_all_for(session, user)
    admin_audit.record(session, actor, "user.password", user.email, sessions_ended=ended)
    return user


def set_active(session: Session, email: str, active: bool, *, actor: str) -> User:
    """Enable or disable the account; disabling ends its sessions at once."""
    user = get_user(session, email)
    before, user.active = user.active, active
    session.add(user)
    ended = 0 if active else sessions.revoke_all_for(session, user)
    admin_audit.record(session, actor, "user.enable" if active else "user.disable", user.email, before=before,
                       sessions_ended=ended)
    return user


def set_role(session: Session, email: str, role: Role, *, actor: str) -> bool:
    """Give the account another role, ending its sessions; False when it already had that role."""
    user = get_user(session, email)
    if user.role == role.value:
        return False
    if role == Role.officer and not department_ids(session, user):
        raise AccountError("An officer needs at least one ministry: add one first (civicly users add-department).")
    before, user.role = user.role, role.value
    session.add(user)
    admin_audit.record(session, actor, "user.role", user.email, before=before, after=role.value,
                       sessions_ended=sessions.revoke_all_for(session, user))
    return True


def add_department(session: Session, email: str, code: str, *, actor: str) -> bool:
    """Let the account work for one more ministry, ending its sessions; False when it already did."""
    user = get_user(session, email)
    (department,) = _departments(session, [code])
    if department.id in department_ids(session, user):
        return False
    session.add(UserDepartment(user_id=user.id, department_id=department.id))
    session.flush()
    admin_audit.record(session, actor, "user.department.add", user.email, department=department.code,
                       sessions_ended=sessions.revoke_all_for(session, user))
    return True


def remove_department(session: Session, email: str, code: str, *, actor: str) -> bool:
    """Stop the account working for a ministry, ending its sessions; False when it did not; an officer keeps one."""
    user = get_user(session, email)
    (department,) = _departments(session, [code])
    link = session.get(UserDepartment, (user.id, department.id))
    if link is None:
        return False
    if user.role == Role.officer.value and len(department_ids(session, user)) == 1:
        raise AccountError(f"{user.email} is an officer of {department.code} only; an officer needs at least one "
                           "ministry.")
    session.delete(link)
    session.flush()
    admin_audit.record(session, actor, "user.department.remove", user.email, department=department.code,
                       sessions_ended=sessions.revoke_all_for(session, user))
    return True


def end_sessions(session: Session, email: str, *, actor: str, session_id: int | None = None) -> int:
    """Sign the account out everywhere, or of one session (``session_id``, one of its own); how many ended."""
    user = get_user(session, email)
    if session_id is None:
        ended = sessions.revoke_all_for(session, user)
    else:
        row = session.get(UserSession, session_id)
        if row is None or row.user_id != user.id:
            raise AccountError(f"{user.email} has no session {session_id}.")
        ended = int(sessions.revoke(session, session_id))
    admin_audit.record(session, actor, "user.sign_out", user.email, session_id=session_id, sessions_ended=ended)
    return ended


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the password is right and the account usable; None otherwise, without saying which part failed.

    A locked account is refused even with the right password, unless the lock can be lifted by a second factor:
    then the user is returned, still locked, and signin.begin_sign_in asks for the code, which lifts it.
    """
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        _verify(_DUMMY_HASH, password)
        return None
    if is_locked(user) and not lock_liftable(user):
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password) or not user.active:
        record_failure(session, user)
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return user


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def lock_liftable(user: User) -> bool:
    """Whether the right password and a valid second-factor code may still lift this account's lock."""
    return user.totp_secret is not None and user.failed_logins < LIFTABLE_FAILURES


def lock_duration(failures: int) -> timedelta:
    """How long the ``failures``-th failure in a row locks the account: none before MAX_FAILURES, then doubling."""
    if failures < MAX_FAILURES:
        return timedelta(0)
    return min(FIRST_LOCK * 2 ** min(failures - MAX_FAILURES, 16), LONGEST_LOCK)


def record_failure(session: Session, user: User) -> None:
    """Count one failure in a single UPDATE (never read-modify-write) and lock for as long as the new count says.

    The lock only ever grows here, so two failures arriving together cannot shorten each other's lock.
    """
    failures = session.execute(
        update(User).where(col(User.id) == user.id).values(failed_logins=col(User.failed_logins) + 1)
        .returning(col(User.failed_logins)).execution_options(synchronize_session=False)
    ).scalar_one()
    if failures >= MAX_FAILURES:
        until = utcnow() + lock_duration(failures)
        session.execute(
            update(User).where(col(User.id) == user.id)
            .where(or_(col(User.locked_until).is_(None), col(User.locked_until) < until))
            .values(locked_until=until).execution_options(synchronize_session=False)
        )
    session.expire(user, ["failed_logins", "locked_until"])


def record_sign_in(session: Session, user: User) -> None:
    """The user has proved who they are with everything required: forget past failures and any lock."""
    user.last_login_at = utcnow()
    _clear_failures(session, user)


def unlock(session: Session, email: str, actor: str) -> User:
    """Lift the lock of ``email`` and forget its failures (an admin's decision, audited)."""
    user = get_user(session, email)
    admin_audit.record(session, actor, "user.unlock", user.email, failed_logins=user.failed_logins,
                       was_locked=is_locked(user))
    _clear_failures(session, user)
    return user


def _clear_failures(session: Session, user: User) -> None:
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    session.flush()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
