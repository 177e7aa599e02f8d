"""civicly privacy purge and export: contact details erased after the retention period, a citizen's data on request."""
import json
from datetime import timedelta

from sqlmodel import select

from civicly.cli.privacy import privacy
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
