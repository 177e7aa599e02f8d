"""civicly privacy purge, export and erase: personal data erased after the retention period or on request, a
citizen's data on request; each run audited."""
import json
from datetime import timedelta

from sqlmodel import select

from civicly.cli.privacy import privacy
from civicly.models import Case, Event
from civicly.models.timestamps import utcnow
from civicly.triage import admin_audit
from civicly.triage.erasure import ERASED
from tests.conftest import file_case


def close(session, case, days_ago):
    stored = session.get(Case, case.id)
    stored.status, stored.updated_at = "resolved", utcnow() - timedelta(days=days_ago)
    session.add(stored)
    session.commit()


def test_purge_erases_personal_data_of_old_closed_cases_only_leaves_an_event_and_is_audited(runner, seeded):
    old = file_case(seeded, "Water leak at 12 rue Carnot, call me on +221 77 000 00 01.", email="old@example.sn",
                    phone="+221 77 000 00 01", name="Old", place="12 rue Carnot", latitude=14.1, longitude=-16.07,
                    attributes={"floor": "3"})
    recent = file_case(seeded, email="recent@example.sn")
    still_open = file_case(seeded, email="open@example.sn")
    close(seeded, old, 400)
    close(seeded, recent, 10)
    assert "1 case(s) closed before" in runner.invoke(privacy, ["purge", "--dry-run"]).output
    result = runner.invoke(privacy, ["purge"])
    assert result.exit_code == 0 and "Erased the personal data of 1 case(s)" in result.output
    seeded.expire_all()
    purged = seeded.get(Case, old.id)
    assert (purged.contact_email, purged.contact_name, purged.contact_phone) == (None, None, None)
    assert (purged.text, purged.place, purged.latitude, purged.longitude, purged.attributes) == (
        ERASED, None, None, None, {})
    assert purged.erased_at is not None and purged.status == "resolved" and purged.department_id == old.department_id
    assert seeded.get(Case, recent.id).contact_email == "recent@example.sn"
    assert seeded.get(Case, still_open.id).contact_email == "open@example.sn"
    assert seeded.exec(select(Event).where(Event.case_id == old.id, Event.kind == "purged")).one()
    [entry] = admin_audit.entries(seeded, action="privacy.purge")
    assert entry.details["count"] == 1 and entry.actor.startswith("cli:")
    assert "of 0 case(s)" in runner.invoke(privacy, ["purge"]).output


def test_purge_with_an_explicit_date(runner, seeded):
    case = file_case(seeded, email="x@example.ke")
    close(seeded, case, 10)
    tomorrow = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%d")
    assert "of 1 case(s)" in runner.invoke(privacy, ["purge", "--closed-before", tomorrow]).output


def test_export_gives_the_citizen_their_data_without_internal_notes_and_is_audited(runner, seeded):
    case = file_case(seeded, email="fatou@example.sn", name="Fatou")
    seeded.add(Event(case_id=case.id, kind="note", actor="awa@sante.gouv.sn", message="internal only"))
    seeded.commit()
    result = runner.invoke(privacy, ["export", case.reference.lower()])
    data = json.loads(result.output)
    assert data["reference"] == case.reference and data["contact"]["email"] == "fatou@example.sn"
    assert "internal only" not in result.output
    [entry] = admin_audit.entries(seeded, action="case.export")
    assert entry.target == case.reference and "fatou" not in json.dumps(entry.details)
    assert runner.invoke(privacy, ["export", "CIV-0000-0000"]).exit_code == 1


def test_erase_one_case_asks_for_confirmation_and_audits_counts_only(runner, seeded):
    case = file_case(seeded, "Mariama Keita reports a broken pump.", email="mariama@example.sn", name="Mariama Keita")
    refused = runner.invoke(privacy, ["erase", case.reference], input="n\n")
    assert refused.exit_code == 1
    seeded.expire_all()
    assert seeded.get(Case, case.id).erased_at is None
    result = runner.invoke(privacy, ["erase", case.reference.lower()], input="y\n")
    assert result.exit_code == 0 and case.reference in result.output
    seeded.expire_all()
    assert seeded.get(Case, case.id).text == ERASED and seeded.get(Case, case.id).contact_email is None
    [entry] = admin_audit.entries(seeded, action="case.erase")
    assert entry.target == case.reference and set(entry.details) == {
        "events", "predictions", "labels", "outbox", "satisfaction", "photos"}
    assert "mariama" not in json.dumps(entry.details).lower()


def test_erase_by_email_or_phone_takes_every_case_of_that_person(runner, seeded):
    first = file_case(seeded, email="Juma.Otieno@Example.ke", phone="+254 712 345 678")
    second = file_case(seeded, email="juma.otieno@example.ke")
    by_phone = file_case(seeded, phone="0712-345-678")
    other = file_case(seeded, email="someone@example.ke", phone="+254 799 000 111")
    result = runner.invoke(privacy, ["erase", "--email", "  JUMA.OTIENO@example.ke ", "--yes"])
    assert result.exit_code == 0 and "2 case(s)" in result.output
    result = runner.invoke(privacy, ["erase", "--phone", "+254712345678", "--yes"])
    assert result.exit_code == 1  # the one case with these digits was erased above
    result = runner.invoke(privacy, ["erase", "--phone", "0712 345 678", "--yes"])
    assert result.exit_code == 0 and by_phone.reference in result.output
    seeded.expire_all()
    assert all(seeded.get(Case, c.id).erased_at is not None for c in (first, second, by_phone))
    assert seeded.get(Case, other.id).erased_at is None
    assert len(list(admin_audit.entries(seeded, action="case.erase"))) == 3


def test_erase_needs_exactly_one_way_to_find_the_cases(runner, seeded):
    assert runner.invoke(privacy, ["erase", "--yes"]).exit_code == 2
    assert runner.invoke(privacy, ["erase", "CIV-0000-0000", "--email", "a@b.cd", "--yes"]).exit_code == 2
    assert runner.invoke(privacy, ["erase", "CIV-0000-0000", "--yes"]).exit_code == 1
    assert runner.invoke(privacy, ["erase", "--email", "nobody@example.sn", "--yes"]).exit_code == 1
