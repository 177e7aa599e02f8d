"""Officers' sessions kept on the server: opened at sign-in, checked on every request, ended at sign-out, by an
administrator, or by the idle and absolute timeouts.

The browser holds only a random id; the table keeps its SHA-256, so a copy of the table opens nothing, and a copied
cookie stops working as soon as its row is revoked. A table is enough for several workers and hosts (no Redis
needed): validation is one indexed read, and ``last_seen_at`` is written at most once a minute per session.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, or_, select, update

from civicly.models import User, UserSession
from civicly.models.timestamps import utcnow

SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is refreshed no more often, to spare a write per request
ADDRESS_LENGTH = 64
USER_AGENT_LENGTH = 120


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts: ``idle`` without a request, ``lifetime`` after sign-in whatever the activity."""

    idle: timedelta
    lifetime: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SessionPolicy:
        return cls(idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                   lifetime=timedelta(hours=config["SESSION_MAX_HOURS"]))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User, policy: SessionPolicy, *, address: str = "",
                 user_agent: str = "") -> tuple[str, UserSession]:
    """A new session for ``user``: the random id to give the browser (shown once, never stored) and its row."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(token_hash=_token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                      expires_at=now + policy.lifetime, address=address[:ADDRESS_LENGTH],
                      user_agent=user_agent[:USER_AGENT_LENGTH])
    session.add(row)
    session.flush()
    return token, row


def is_live(row: UserSession, policy: SessionPolicy, now: datetime) -> bool:
    """Whether ``row`` still signs its holder in at ``now``."""
    return row.revoked_at is None and now < row.expires_at and now - row.last_seen_at < policy.idle


def validate(session: Session, token: str, policy: SessionPolicy) -> tuple[User, UserSession] | None:
    """The active user and the session row that ``token`` opens, or None once it is revoked, timed out or unknown,
    or its account disabled. Counts as activity for the idle timeout."""
    row = session.exec(select(UserSession).where(UserSession.token_hash == _token_hash(token))).first()
    now = utcnow()
    if row is None or not is_live(row, policy, now):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        # A bulk UPDATE rather than a changed attribute: a row purged meanwhile is simply not matched, where the
        # unit of work would fail with a stale-data error. It refreshes ``row`` in the session as well.
        session.exec(update(UserSession).where(col(UserSession.id) == row.id).values(last_seen_at=now))
    return user, row


def revoke(session: Session, session_id: int) -> bool:
    """End one session; False when it had already ended or does not exist."""
    result = session.exec(update(UserSession).where(col(UserSession.id) == session_id,
                                                    col(UserSession.revoked_at).is_(None))
                          .values(revoked_at=utcnow()))
    return result.rowcount > 0


def revoke_all_for(session: Session, user: User) -> int:
    """End every session of ``user`` (password, role, ministries changed, account disabled); how many were open."""
    result = session.exec(update(UserSession).where(col(UserSession.user_id) == user.id,
                                                    col(UserSession.revoked_at).is_(None))
                          .values(revoked_at=utcnow()))
    return result.rowcount


def live_sessions(session: Session, user: User, policy: SessionPolicy) -> list[UserSession]:
    """The sessions of ``user`` that still sign in, most recently used first."""
    rows = session.exec(select(UserSession).where(UserSession.user_id == user.id, col(UserSession.revoked_at).is_(None))
                        .order_by(col(UserSession.last_seen_at).desc())).all()
    now = utcnow()
    return [row for row in rows if is_live(row, policy, now)]


def purge_ended(session: Session, policy: SessionPolicy) -> int:
    """Delete the sessions that can no longer sign anyone in (revoked, idle too long, past their end); run by the
    worker, so the table holds about as many rows as people signed in."""
    now = utcnow()
    result = session.exec(delete(UserSession).where(or_(
        col(UserSession.revoked_at).is_not(None),
        col(UserSession.expires_at) <= now,
        col(UserSession.last_seen_at) <= now - policy.idle,
    )))
    return result.rowcount
