"""API keys: shown once, stored as a hash, listed by prefix, revoked by prefix or name."""
import hashlib

from sqlmodel import select

from civicly.models import ApiKey
from civicly.triage import apikeys


def test_a_key_is_stored_only_as_its_sha256(session):
    issued = apikeys.create_key(session, "City app", actor="cli:test")
    stored = session.exec(select(ApiKey)).one()
    assert stored.key_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in (stored.key_hash, stored.prefix) and issued.secret.startswith(stored.prefix)
    assert apikeys.authenticate(session, issued.secret) is stored
    assert apikeys.authenticate(session, issued.secret + "x") is None
