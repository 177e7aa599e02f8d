"""civicly privacy purge/export and db backup/restore."""
import json
from datetime import timedelta

from sqlmodel import select

from civicly.cli import db, privacy
from civicly.models import Case, Event
from civicly.models.timestamps import utcnow
from tests.conftest import file_case


def close(session, case, days_ago):
    stored = session.get(Case, case.id)
    stored.status, stored.updated_at = "resolved", utcnow() - timedelta(days=days_ago)
    session.add(stored)
    session.commit()


def test_purge_erases_contacts_of_old_closed_cases_only_and_leaves_an_event(runner, seeded):
    old = file_case(seeded, email="old@example.sn", phone="+221 77 000 00 01", name="Old")
    recent = file_case(seeded, email="recent@example.sn")
    still_open = file_case(seeded, email="open@example.sn")
    close(seeded, old, 400)
    close(seeded, recent, 10)
    assert "1 closed case(s)" in runner.invoke(privacy, ["purge", "--dry-run"]).output
    result = runner.invoke(privacy, ["purge"])
    assert result.exit_code == 0 and "Erased contact details of 1" in result.output
    seeded.expire_all()
    assert seeded.get(Case, old.id).contact_email is None and seeded.get(Case, old.id).contact_name is None
    assert seeded.get(Case, recent.id).contact_email == "recent@example.sn"
    assert seeded.get(Case, still_open.id).contact_email == "open@example.sn"
    assert seeded.exec(select(Event).where(Event.case_id == old.id, Event.kind == "purged")).one()
    assert "Erased contact details of 0" in runner.invoke(privacy, ["purge"]).output


def test_purge_with_an_explicit_date(runner, seeded):
    case = file_case(seeded, email="x@example.ke")
    close(seeded, case, 10)
    tomorrow = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%d")
    assert "of 1 closed" in runner.invoke(privacy, ["purge", "--closed-before", tomorrow]).output


def test_export_gives_the_citizen_their_data_without_internal_notes(runner, seeded):
    case = file_case(seeded, email="fatou@example.sn", name="Fatou")
    seeded.add(Event(case_id=case.id, kind="note", actor="awa@sante.gouv.sn", message="internal only"))
    seeded.commit()
    result = runner.invoke(privacy, ["export", case.reference.lower()])
    data = json.loads(result.output)
    assert data["reference"] == case.reference and data["contact"]["email"] == "fatou@example.sn"
    assert "internal only" not in result.output
    assert runner.invoke(privacy, ["export", "CIV-0000-0000"]).exit_code == 1


def test_backup_and_restore_bring_back_every_case(runner, seeded, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        result = runner.invoke(db, ["backup", str(tmp_path / "x.sqlite3")])
        assert result.exit_code == 1 and "pg_dump" in result.output
        return
    references = {file_case(seeded, f"Case number {i} about the clinic roof.").reference for i in range(5)}
    target = tmp_path / "backup.sqlite3"
    assert runner.invoke(db, ["backup", str(target)]).exit_code == 0
    for event in seeded.exec(select(Event)).all():
        seeded.connection().exec_driver_sql(f"DELETE FROM events WHERE id = {event.id}")
    for table in ("case_group_members", "case_groups", "outbox", "cases"):  # similar reports are grouped
        seeded.connection().exec_driver_sql(f"DELETE FROM {table}")
    seeded.commit()
    assert seeded.exec(select(Case)).all() == []
    result = runner.invoke(db, ["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    seeded.expire_all()
    assert {c.reference for c in seeded.exec(select(Case)).all()} == references
    assert runner.invoke(db, ["backup", str(target)]).exit_code == 1  # never overwrites


def test_restore_refuses_a_file_that_is_not_a_civicly_database(runner, seeded, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        return
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(db, ["restore", str(junk), "--yes"])
    assert result.exit_code == 1
