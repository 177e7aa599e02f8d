"""The administration audit keeps who did what, from where, and refuses to be rewritten."""
import pytest

from civicly.models import AdminAction
from civicly.triage import admin_audit


def test_an_entry_records_actor_action_target_and_the_cli_address(app, session):
    with app.app_context():
        entry = admin_audit.record(session, "admin@example.org", "user.create", "new@example.org", role="officer")
        session.commit()
        assert entry.address == admin_audit.CLI_ADDRESS
        assert [(e.action, e.target, e.details) for e in admin_audit.entries(session, action="user.")] == [
            ("user.create", "new@example.org", {"role": "officer"})]


def test_in_a_request_the_address_is_the_client(app, session):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "198.51.100.7"}):
        assert admin_audit.record(session, "a@example.org", "model.promote", "v1").address == "198.51.100.7"


def test_entries_cannot_be_changed_or_deleted(app, session):
    with app.app_context():
        entry = admin_audit.record(session, "a@example.org", "apikey.create", "partner")
        session.commit()
        entry.target = "someone else"
        with pytest.raises(RuntimeError, match="append-only"):
            session.flush()
        session.rollback()
        with pytest.raises(RuntimeError, match="append-only"):
            session.delete(session.get(AdminAction, entry.id))
            session.flush()
