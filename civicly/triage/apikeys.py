"""Keys for systems that file requests through the Open311 API: issue, list, revoke, check.

A key is shown once when created; only its sha256 is stored, so a leaked database reveals no usable key.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from civicly.errors import CivicError
from civicly.models import ApiKey
from civicly.models.timestamps import utcnow
from civicly.triage import admin_audit

KEY_PREFIX = "cvk_"
PREFIX_LEN = 12  # what listings show: "cvk_" and 8 random characters
NAME_MAX = 100


class UnknownApiKey(CivicError):
    """No key matches this prefix or name."""


@dataclass(frozen=True)
class IssuedKey:
    """A new key, with the only copy of its secret value."""

    record: ApiKey
    secret: str


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def create_key(session: Session, name: str, *, actor: str) -> IssuedKey:
    """Issue a key for the system called ``name`` (audited: its prefix, never the key); the caller must show
    ``secret`` now, it is not kept."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise CivicError(f"a key needs a name of 1 to {NAME_MAX} characters")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(name=name, prefix=secret[:PREFIX_LEN], key_hash=key_hash(secret))
    session.add(record)
    admin_audit.record(session, actor, "apikey.create", name, prefix=record.prefix)
    return IssuedKey(record=record, secret=secret)


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def revoke_key(session: Session, prefix_or_name: str, *, actor: str) -> list[ApiKey]:
    """Revoke the active keys whose prefix or name is ``prefix_or_name``; raises UnknownApiKey if none."""
    wanted = prefix_or_name.strip()
    keys = session.exec(select(ApiKey).where(ApiKey.revoked_at == None)  # noqa: E711
                        .where((ApiKey.prefix == wanted) | (ApiKey.name == wanted))).all()
    if not keys:
        raise UnknownApiKey(wanted)
    now = utcnow()
    for key in keys:
        key.revoked_at = now
        session.add(key)
        admin_audit.record(session, actor, "apikey.revoke", key.name, prefix=key.prefix)
    return list(keys)


def authenticate(session: Session, secret: str | None) -> ApiKey | None:
    """The active key matching ``secret``, marked as used (committed with the caller's unit of work); else None."""
    if not secret or len(secret) > 200:
        return None
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash(secret))).first()
    if key is None or key.revoked_at is not None:
        return None
    key.last_used_at = utcnow()
    session.add(key)
    return key
