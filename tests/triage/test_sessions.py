"""triage.sessions: opening, checking, revoking and purging officers' server-side sessions."""
import hashlib
from datetime import timedelta

from sqlmodel import select

from civicly.models import UserSession
from civicly.triage import sessions, worker
from civicly.triage.sessions import SessionPolicy

POLICY = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


def test_only_the_hash_of_the_id_is_stored_and_the_id_signs_in(make_user, seeded):
    user = make_user("awa@sante.gouv.sn")
    token, row = sessions.open_session(seeded, user, POLICY, address="198.51.100.7", user_agent="Firefox " * 40)
    seeded.commit()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert len(row.user_agent) == sessions.USER_AGENT_LENGTH
    assert sessions.validate(seeded, token, POLICY) == (user, row)
    assert sessions.validate(seeded, token + "x", POLICY) is None
    assert sessions.validate(seeded, row.token_hash, POLICY) is None  # a leaked table opens nothing


def test_a_revoked_session_or_a_disabled_account_no_longer_signs_in(make_user, seeded):
    user = make_user("awa@sante.gouv.sn")
    first, first_row = sessions.open_session(seeded, user, POLICY)
    second, _ = sessions.open_session(seeded, user, POLICY)
    assert sessions.revoke(seeded, first_row.id) and not sessions.revoke(seeded, first_row.id)
    assert sessions.validate(seeded, first, POLICY) is None
    assert sessions.validate(seeded, second, POLICY) is not None
    user.active = False
    seeded.add(user)
    assert sessions.validate(seeded, second, POLICY) is None


def test_revoke_all_for_ends_one_persons_sessions_only(make_user, seeded):
    awa, ali = make_user("awa@sante.gouv.sn"), make_user("ali@education.gouv.sn", "officer", ["EDUCATION"])
    for _ in range(3):
        sessions.open_session(seeded, awa, POLICY)
    kept, _ = sessions.open_session(seeded, ali, POLICY)
    assert sessions.revoke_all_for(seeded, awa) == 3
    assert sessions.revoke_all_for(seeded, awa) == 0
    assert sessions.live_sessions(seeded, awa, POLICY) == []
    assert sessions.validate(seeded, kept, POLICY) is not None


def test_the_worker_deletes_ended_sessions_and_keeps_live_ones(app, make_user, seeded):
    user = make_user("awa@sante.gouv.sn")
    rows = [sessions.open_session(seeded, user, POLICY)[1] for _ in range(4)]
    live, revoked, idle, expired = rows
    sessions.revoke(seeded, revoked.id)
    idle.last_seen_at -= timedelta(minutes=31)
    expired.expires_at = expired.created_at - timedelta(seconds=1)
    seeded.add_all([idle, expired])
    seeded.commit()

    with app.app_context():
        worker.run_once(seeded, app.config, lambda _message: None, "test-worker", batch=5, once=True)

    seeded.expire_all()
    assert seeded.exec(select(UserSession.id)).all() == [live.id]
